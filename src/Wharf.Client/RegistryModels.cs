using Wharf.Core.Protocol;

namespace Wharf.Client;

/// <summary>A manifest's exact bytes, its media type and its digest.</summary>
public sealed record RegistryManifest(string MediaType, Digest Digest, ReadOnlyMemory<byte> Bytes);

/// <summary>What a HEAD tells of a manifest.</summary>
public sealed record ManifestInfo(string MediaType, Digest Digest, long Size);

/// <summary>Whether a pushed blob was sent or was already there.</summary>
public enum BlobPush
{
    AlreadyPresent,
    Uploaded,
}

/// <summary>
/// A blob being downloaded: <see cref="Content"/> reads straight from the connection. Dispose it to release the
/// connection (before the end, that abandons the transfer).
/// </summary>
public sealed class BlobDownload(HttpResponseMessage response, Stream content) : IAsyncDisposable, IDisposable
{
    public Stream Content { get; } = content;

    /// <summary>The bytes this response carries (the range's, for a partial one), when the registry said.</summary>
    public long? Length => response.Content.Headers.ContentLength;

    /// <summary>Whether the registry answered a range request with only that range (206).</summary>
    public bool IsPartial => response.StatusCode == System.Net.HttpStatusCode.PartialContent;

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        response.Dispose();
    }

    public void Dispose()
    {
        Content.Dispose();
        response.Dispose();
    }
}
