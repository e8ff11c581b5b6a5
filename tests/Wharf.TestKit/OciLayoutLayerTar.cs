using System.Formats.Tar;
using System.IO.Compression;

namespace Wharf.TestKit;

/// <summary>Writes and reads the gzip-compressed tar archives that image layers are.</summary>
public static class OciLayoutLayerTar
{
    private static readonly DateTimeOffset FixedTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A deterministic uncompressed tar of <paramref name="files"/> (path → content, '/' separated,
    /// relative), with parent directories, owner root and a fixed timestamp.
    /// </summary>
    public static byte[] CreateTar(IReadOnlyDictionary<string, byte[]> files)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var directories = files.Keys
                .SelectMany(ParentDirectories)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            foreach (var directory in directories)
            {
                writer.WriteEntry(Entry(TarEntryType.Directory, directory + "/", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute));
            }

            foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var entry = Entry(TarEntryType.RegularFile, path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                entry.DataStream = new MemoryStream(content, writable: false);
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The regular files in a gzip-compressed tar layer: normalized path → content.</summary>
    public static IReadOnlyDictionary<string, byte[]> ReadFiles(byte[] compressedLayer)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(Gunzip(compressedLayer), writable: false));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                continue;
            }

            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            files[entry.Name.TrimStart('.', '/')] = content.ToArray();
        }

        return files;
    }

    private static UstarTarEntry Entry(TarEntryType type, string name, UnixFileMode mode) => new(type, name)
    {
        ModificationTime = FixedTime,
        Mode = mode,
        Uid = 0,
        Gid = 0,
    };

    private static IEnumerable<string> ParentDirectories(string path)
    {
        var parts = path.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            yield return string.Join('/', parts[..i]);
        }
    }
}
