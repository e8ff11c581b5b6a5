using System.Text.Json;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Backup;

/// <summary>
/// <c>backup.json</c>, written by <c>wharf backup</c> next to the metadata snapshot: when it was taken, the snapshot's
/// file name, and every blob the snapshot records (digest and size), which <c>DEST/blobs/…</c> holds with the filesystem
/// driver. Written as a stream, one blob at a time.
/// </summary>
public sealed record BackupManifest(int Format, DateTimeOffset CreatedAt, string Metadata, IReadOnlyList<BlobInfo> Blobs)
{
    public const string FileName = "backup.json";
    public const string MetadataFileName = "wharf.db";
    public const int CurrentFormat = 1;

    public async Task WriteAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, FileName);
        var partial = path + ".partial";
        await using (var file = File.Create(partial))
        await using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Format);
            json.WriteString("createdAt", CreatedAt);
            json.WriteString("metadata", Metadata);
            json.WriteStartArray("blobs");
            foreach (var blob in Blobs)
            {
                json.WriteStartObject();
                json.WriteString("digest", blob.Digest.Value);
                json.WriteNumber("size", blob.Size);
                json.WriteEndObject();
                if (json.BytesPending > 64 * 1024)
                {
                    await json.FlushAsync(cancellationToken);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        File.Move(partial, path, overwrite: true);
    }

    /// <summary>Reads <c>backup.json</c> from <paramref name="directory"/>; <see cref="InvalidDataException"/> when it is not one.</summary>
    public static async Task<BackupManifest> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{directory} is not a Wharf backup: it has no {FileName}");
        }

        await using var file = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(file, cancellationToken: cancellationToken);
        try
        {
            var root = document.RootElement;
            var format = root.GetProperty("format").GetInt32();
            if (format != CurrentFormat)
            {
                throw new InvalidDataException($"{path} has format {format}; this Wharf reads format {CurrentFormat}");
            }

            var blobs = root.GetProperty("blobs").EnumerateArray()
                .Select(b => new BlobInfo(Digest.Parse(b.GetProperty("digest").GetString()!), b.GetProperty("size").GetInt64()))
                .ToList();
            return new BackupManifest(format, root.GetProperty("createdAt").GetDateTimeOffset(), root.GetProperty("metadata").GetString()!, blobs);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} is not a valid backup manifest: {e.Message}", e);
        }
    }
}
