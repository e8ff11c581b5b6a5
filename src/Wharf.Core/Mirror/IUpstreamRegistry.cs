using Wharf.Core.Protocol;

namespace Wharf.Core.Mirror;

/// <summary>The few calls the pull-through cache makes to an upstream registry. Every failure is an <see cref="UpstreamException"/>.</summary>
public interface IUpstreamRegistry
{
    /// <summary>The manifest's bytes and media type, by tag or digest.</summary>
    ValueTask<UpstreamManifest> GetManifestAsync(string name, string reference, CancellationToken cancellationToken);

    /// <summary>The digest a tag (or digest) resolves to, without its bytes.</summary>
    ValueTask<Digest> HeadManifestAsync(string name, string reference, CancellationToken cancellationToken);

    /// <summary>The blob's bytes as they arrive, and their length; the caller disposes the stream.</summary>
    ValueTask<UpstreamBlob> GetBlobAsync(string name, Digest digest, CancellationToken cancellationToken);
}

/// <summary>Gives the client of each configured upstream.</summary>
public interface IUpstreamRegistries
{
    IUpstreamRegistry For(UpstreamOptions upstream);
}

public sealed record UpstreamManifest(byte[] Payload, string MediaType);

public sealed record UpstreamBlob(Stream Content, long Length);

/// <summary>Why an upstream call failed, as far as the cache cares.</summary>
public enum UpstreamFailure
{
    /// <summary>The upstream answered that the manifest or blob does not exist.</summary>
    NotFound,

    /// <summary>Unreachable, timed out, or answered with an error of its own (5xx, refused credentials).</summary>
    Unavailable,

    /// <summary>The upstream answered 429.</summary>
    TooManyRequests,
}

public sealed class UpstreamException(UpstreamFailure failure, string message, Exception? inner = null, TimeSpan? retryAfter = null) : Exception(message, inner)
{
    public UpstreamFailure Failure { get; } = failure;

    /// <summary>How long the upstream asked its callers to wait (its <c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
