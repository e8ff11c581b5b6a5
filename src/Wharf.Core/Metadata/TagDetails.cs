using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>How <see cref="ITagDetailsReader.ListAsync"/> orders tags.</summary>
public enum TagOrder
{
    /// <summary>By name, ordinal ascending.</summary>
    NameAscending,

    /// <summary>By name, ordinal descending.</summary>
    NameDescending,

    /// <summary>Most recently pushed (moved) first, then by name.</summary>
    PushedNewestFirst,

    /// <summary>Least recently pushed first, then by name.</summary>
    PushedOldestFirst,
}

/// <summary>A tag with the manifest it points to and when it was last pushed (moved).</summary>
public sealed record TagDetails(string Name, Digest Digest, string MediaType, byte[] Payload, DateTimeOffset PushedAt);

/// <summary>One page of tags and how many tags the repository has in all.</summary>
public sealed record TagDetailsPage(long Total, IReadOnlyList<TagDetails> Tags);

/// <summary>Tags with their manifests, for the JSON API's repository pages.</summary>
public interface ITagDetailsReader
{
    /// <summary>
    /// Tags of <paramref name="repository"/> in <paramref name="order"/>, skipping <paramref name="offset"/> and taking at
    /// most <paramref name="limit"/>; null when the repository is unknown.
    /// </summary>
    ValueTask<TagDetailsPage?> ListAsync(string repository, TagOrder order, int offset, int limit, CancellationToken cancellationToken);
}
