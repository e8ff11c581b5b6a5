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

    /// <summary>Removes a cached tag and the record of when it was last served.</summary>
    public async ValueTask DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        await storage.DeleteAsync(TagPath(repository, tag), cancellationToken);
        await storage.DeleteAsync(ServedPath(repository, TagKey(tag)), cancellationToken);
    }

    /// <summary>Removes a cached manifest and the record of when it was last served.</summary>
    public async ValueTask DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        await storage.DeleteAsync(ManifestPath(repository, digest), cancellationToken);
        await storage.DeleteAsync(ServedPath(repository, ManifestKey(digest)), cancellationToken);
    }

    /// <summary>The served-record key of a cached tag.</summary>
    public static string TagKey(string tag) => $"tags/{tag}";

    /// <summary>The served-record key of a cached manifest.</summary>
    public static string ManifestKey(Digest digest) => $"manifests/{digest.Algorithm}/{digest.Encoded}";

    /// <summary>When the tag or manifest <paramref name="key"/> was last served, as recorded (at most hourly), or null when never recorded.</summary>
    public async ValueTask<DateTimeOffset?> GetServedAsync(string repository, string key, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(ServedPath(repository, key), cancellationToken);
        return bytes is not null && long.TryParse(Encoding.UTF8.GetString(bytes), out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>
    /// Records that the tag or manifest <paramref name="key"/> was served at <paramref name="at"/>. A record of its own,
    /// never the tag or manifest object, so it cannot undo a revalidation that moved the tag meanwhile.
    /// </summary>
    public ValueTask PutServedAsync(string repository, string key, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(ServedPath(repository, key), Encoding.UTF8.GetBytes(at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);

    /// <summary>Every repository with cached tags or manifests (configured or not), walked through storage.</summary>
    public async IAsyncEnumerable<string> ListRepositoriesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.TryPop(out var repository))
        {
            var holdsRecords = false;
            await foreach (var child in storage.ListAsync(RepositoriesRoot + (repository.Length == 0 ? "" : "/" + repository), cancellationToken))
            {
                // A name segment never starts with '_': those children are a repository's records, the others nested names.
                if (child.StartsWith('_'))
                {
                    holdsRecords = true;
                }
                else
                {
                    pending.Push(repository.Length == 0 ? child : $"{repository}/{child}");
                }
            }

            if (holdsRecords)
            {
                yield return repository;
            }
        }
    }

    /// <summary>The cached tags of a repository.</summary>
    public async ValueTask<List<string>> ListTagsAsync(string repository, CancellationToken cancellationToken)
    {
        var tags = new List<string>();
        await foreach (var tag in storage.ListAsync($"{RepositoriesRoot}/{repository}/_tags", cancellationToken))
        {
            tags.Add(tag);
        }

        return tags;
    }

    /// <summary>The digests of a repository's cached manifests.</summary>
    public async ValueTask<List<Digest>> ListManifestsAsync(string repository, CancellationToken cancellationToken)
    {
        var digests = new List<Digest>();
        var root = $"{RepositoriesRoot}/{repository}/_manifests";
        await foreach (var algorithm in storage.ListAsync(root, cancellationToken))
        {
            await foreach (var encoded in storage.ListAsync($"{root}/{algorithm}", cancellationToken))
            {
                if (Digest.TryParse($"{algorithm}:{encoded}", out var digest))
                {
                    digests.Add(digest);
                }
            }
        }

        return digests;
    }

    /// <summary>The blobs (configs and layers) that the repository's cached manifests name; an index names none itself.</summary>
    public async ValueTask<HashSet<string>> NamedBlobsAsync(string repository, CancellationToken cancellationToken)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var digest in await ListManifestsAsync(repository, cancellationToken))
        {
            if (await GetAsync(repository, digest, cancellationToken) is { } manifest)
            {
                named.UnionWith(BlobsOf(manifest));
            }
        }

        return named;
    }

    /// <summary>The blob digests a cached manifest names (none when it does not parse).</summary>
    public static IEnumerable<string> BlobsOf(CachedManifest manifest)
    {
        var parsed = ManifestParser.Parse(manifest.Payload, manifest.MediaType);
        return parsed.IsOk ? parsed.Value.Blobs.Select(b => b.Digest.Value) : [];
    }

    private const string RepositoriesRoot = $"{Root}/repositories";

    private static string ManifestPath(string repository, Digest digest) => $"{RepositoriesRoot}/{repository}/_manifests/{digest.Algorithm}/{digest.Encoded}";

    private static string TagPath(string repository, string tag) => $"{RepositoriesRoot}/{repository}/_tags/{tag}";

    private static string ServedPath(string repository, string key) => $"{RepositoriesRoot}/{repository}/_served/{key}";

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
