using System.Text;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Mirror;

/// <summary>A cached manifest: its bytes, media type and digest.</summary>
public sealed record CachedManifest(Digest Digest, string MediaType, byte[] Payload);

/// <summary>Where a cached tag pointed when it was last checked against the upstream.</summary>
public sealed record CachedTag(Digest Digest, DateTimeOffset CheckedAt);

/// <summary>
/// Cached manifests and tags in storage under <c>mirror/&lt;repository&gt;/</c>, shared by every instance. Each object is
/// written to a fresh path and moved into place, so a reader sees a whole old or a whole new record.
/// </summary>
public sealed class CachedManifests(IStorageDriver storage)
{
    public const string Root = "mirror";

    public async ValueTask<CachedManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(ManifestPath(repository, digest), cancellationToken);
        var newline = bytes is null ? -1 : Array.IndexOf(bytes, (byte)'\n');
        if (bytes is null || newline < 0)
        {
            return null;
        }

        return new CachedManifest(digest, Encoding.UTF8.GetString(bytes, 0, newline), bytes[(newline + 1)..]);
    }

    public ValueTask PutAsync(string repository, CachedManifest manifest, CancellationToken cancellationToken)
    {
        var header = Encoding.UTF8.GetBytes(manifest.MediaType + "\n");
        return WriteAsync(ManifestPath(repository, manifest.Digest), [.. header, .. manifest.Payload], cancellationToken);
    }

    public async ValueTask<CachedTag?> GetTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(TagPath(repository, tag), cancellationToken);
        var parts = bytes is null ? [] : Encoding.UTF8.GetString(bytes).Split('\n');
        return parts.Length == 2 && Digest.TryParse(parts[0], out var digest) && long.TryParse(parts[1], out var ms)
            ? new CachedTag(digest, DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : null;
    }

    public ValueTask PutTagAsync(string repository, string tag, CachedTag value, CancellationToken cancellationToken) =>
        WriteAsync(TagPath(repository, tag), Encoding.UTF8.GetBytes($"{value.Digest.Value}\n{value.CheckedAt.ToUnixTimeMilliseconds()}"), cancellationToken);

    public ValueTask DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken) =>
        storage.DeleteAsync(TagPath(repository, tag), cancellationToken);

    private static string ManifestPath(string repository, Digest digest) => $"{Root}/repositories/{repository}/_manifests/{digest.Algorithm}/{digest.Encoded}";

    private static string TagPath(string repository, string tag) => $"{Root}/repositories/{repository}/_tags/{tag}";

    private async ValueTask<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = await storage.OpenReadAsync(path, 0, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private async ValueTask WriteAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var partial = $"{Root}/partial/{Guid.NewGuid():N}";
        try
        {
            await using (var writer = await storage.OpenWriterAsync(partial, 0, cancellationToken))
            {
                await writer.WriteAsync(content, cancellationToken);
                await writer.CommitAsync(cancellationToken);
            }

            await storage.MoveAsync(partial, path, cancellationToken);
        }
        catch
        {
            await storage.DeleteAsync(partial, CancellationToken.None);
            throw;
        }
    }
}
