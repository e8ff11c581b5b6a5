using System.Runtime.CompilerServices;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;

namespace Wharf.Core.Mirror;

/// <summary>
/// Cached tags for retention: a tag's "push" and "pull" times are both when it was last served (its served record, at
/// most an hour behind; the time it was last checked upstream when it has none), so <c>KeepLast</c> keeps the most
/// recently pulled tags and <c>DeleteOlderThan</c> removes tags not pulled for that long.
/// </summary>
public sealed class CachedTagRetention(MirrorNames names, CachedManifests manifests) : ICachedTags
{
    public async IAsyncEnumerable<string> ListRepositoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var repository in manifests.ListRepositoriesAsync(cancellationToken))
        {
            if (names.IsCached(repository))
            {
                yield return repository;
            }
        }
    }

    public async ValueTask<IReadOnlyList<RetentionTag>> ListTagsAsync(string repository, CancellationToken cancellationToken)
    {
        var tags = new List<RetentionTag>();
        foreach (var name in await manifests.ListTagsAsync(repository, cancellationToken))
        {
            if (await manifests.GetTagAsync(repository, name, cancellationToken) is { } tag)
            {
                var served = await manifests.GetServedAsync(repository, CachedManifests.TagKey(name), cancellationToken) ?? tag.CheckedAt;
                tags.Add(new RetentionTag(name, tag.Digest, served, served));
            }
        }

        return [.. tags.OrderByDescending(t => t.PushedAt).ThenBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <remarks>
    /// Storage has no conditional delete: a revalidation that moves the tag between the read and the delete loses its new
    /// digest, and the next pull of the tag fetches it from the upstream again.
    /// </remarks>
    public async ValueTask<bool> DeleteTagIfAsync(string repository, string tag, Digest digest, CancellationToken cancellationToken)
    {
        if (await manifests.GetTagAsync(repository, tag, cancellationToken) is not { } current || current.Digest != digest)
        {
            return false;
        }

        await manifests.DeleteTagAsync(repository, tag, cancellationToken);
        return true;
    }
}
