using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Http.Ui;

/// <summary>
/// The web UI's static files, embedded in this assembly (<c>Ui/wwwroot/**</c>) so every way of running Wharf (the
/// launcher, <c>dotnet test</c>, a published folder) serves the same files with no content root to find. They are read
/// and compressed once, on first use (a few tens of KiB: well under 100 ms), and kept in memory.
/// <para>
/// Assets are served under <c>/ui/&lt;version&gt;/</c>, where the version is a hash over every file, so their URLs change
/// whenever any file changes and they can be cached as immutable. <c>index.html</c> names that prefix through the
/// placeholder <c>{{assets}}</c> and is itself revalidated on every load (no-cache + ETag).
/// </para>
/// </summary>
public sealed class UiAssets
{
    private const string ResourcePrefix = "ui/";
    private const string AssetsPlaceholder = "{{assets}}";
    private readonly Dictionary<string, UiAsset> _files;

    private UiAssets(Dictionary<string, UiAsset> files, UiAsset index, string version)
    {
        _files = files;
        Index = index;
        Version = version;
    }

    /// <summary>A hash over every file: the path segment that versions asset URLs.</summary>
    public string Version { get; }

    /// <summary>The page every UI route answers with, its asset URLs filled in.</summary>
    public UiAsset Index { get; }

    /// <summary>The asset at <paramref name="path"/> (relative to wwwroot, e.g. <c>js/app.js</c>), or null.</summary>
    public UiAsset? Find(string path) => _files.GetValueOrDefault(path);

    /// <summary>Loads the files embedded in <paramref name="assembly"/>.</summary>
    public static UiAssets Load(Assembly assembly)
    {
        var raw = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            raw[name[ResourcePrefix.Length..].Replace('\\', '/')] = copy.ToArray();
        }

        if (!raw.TryGetValue("index.html", out var indexBytes))
        {
            throw new InvalidOperationException("the web UI's index.html is not embedded in " + assembly.GetName().Name);
        }

        var version = VersionOf(raw);
        var files = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var (path, bytes) in raw.Where(f => f.Key != "index.html"))
        {
            files[path] = Prepare(path, bytes);
        }

        var index = Encoding.UTF8.GetString(indexBytes).Replace(AssetsPlaceholder, "/ui/" + version, StringComparison.Ordinal);
        return new UiAssets(files, Prepare("index.html", Encoding.UTF8.GetBytes(index)), version);
    }

    private static string VersionOf(SortedDictionary<string, byte[]> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, bytes) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path + "\n"));
            hash.AppendData(SHA256.HashData(bytes));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static UiAsset Prepare(string path, byte[] bytes)
    {
        var type = ContentTypeOf(path);
        var compressible = !type.StartsWith("image/png", StringComparison.Ordinal);
        var brotli = compressible ? Smaller(bytes, Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize))) : null;
        var gzip = compressible ? Smaller(bytes, Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize))) : null;
        return new UiAsset(type, bytes, brotli, gzip, Convert.ToHexStringLower(SHA256.HashData(bytes))[..20]);
    }

    private static byte[]? Smaller(byte[] original, byte[] compressed) =>
        compressed.Length + 64 < original.Length ? compressed : null;

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>The content type for a file name; unknown kinds are served as bytes (and nosniff stops guessing).</summary>
    public static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
