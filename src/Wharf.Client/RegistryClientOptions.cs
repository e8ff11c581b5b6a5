namespace Wharf.Client;

/// <summary>How a <see cref="RegistryClient"/> reaches one registry.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>The registry's root, e.g. <c>https://registry-1.docker.io/</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>Basic credentials, sent to the registry on a Basic challenge and to its token service on a Bearer one; none means anonymous.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Blobs larger than this go up in PATCH chunks of this size; smaller ones in one PUT.</summary>
    public long ChunkSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>A manifest larger than this is refused rather than read into memory (the OCI spec's suggested limit).</summary>
    public int MaxManifestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How many times an idempotent request is sent before a transient failure is given up on.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The first retry's delay; each further one doubles it, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts; a registry's <c>Retry-After</c> beyond it ends the retries at once.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);
}
