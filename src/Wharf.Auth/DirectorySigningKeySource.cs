using Microsoft.IdentityModel.Tokens;

namespace Wharf.Auth;

/// <summary>
/// Signing keys from files (<c>Auth:Token:KeyDirectory</c>): every <c>*.pem</c> private key in the directory verifies;
/// the most recently written of the configured algorithm signs. When there is none of that algorithm,
/// <c>signing-es256.pem</c> (or <c>-rs256</c>) is created, file 0600 in a directory 0700.
/// </summary>
public sealed class DirectorySigningKeySource(string directory) : ISigningKeySource
{
    public string Description => directory;

    public Task<IReadOnlyList<SigningKeyMaterial>> LoadOrCreateAsync(string algorithm, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        var keys = Load(directory);
        if (!keys.Exists(k => k.Algorithm == algorithm))
        {
            var fileName = algorithm == SecurityAlgorithms.RsaSha256 ? "signing-rs256.pem" : "signing-es256.pem";
            Create(Path.Combine(directory, fileName), algorithm);
            keys = Load(directory);
        }

        return Task.FromResult<IReadOnlyList<SigningKeyMaterial>>(keys);
    }

    /// <summary>The keys in <paramref name="directory"/>, oldest file first; files that hold no key are skipped.</summary>
    internal static List<SigningKeyMaterial> Load(string directory)
    {
        var files = Directory.EnumerateFiles(directory, "*.pem")
            .Select(f => (Path: f, Written: File.GetLastWriteTimeUtc(f)))
            .OrderBy(f => f.Written).ThenBy(f => f.Path, StringComparer.Ordinal);
        var keys = new List<SigningKeyMaterial>();
        foreach (var file in files)
        {
            if (SigningKeyPem.Read(File.ReadAllText(file.Path)) is { } loaded)
            {
                keys.Add(new SigningKeyMaterial(loaded.Key, loaded.Algorithm, keys.Count + 1, new DateTimeOffset(file.Written, TimeSpan.Zero)));
            }
        }

        return keys;
    }

    private static void Create(string path, string algorithm)
    {
        var (_, pem) = SigningKeyPem.Create(algorithm);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, fileOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(temp, path, overwrite: false); // Two instances starting at once: the first key wins.
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
        }
    }
}
