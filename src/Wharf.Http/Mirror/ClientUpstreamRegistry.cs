using System.Collections.Concurrent;
using Wharf.Client;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;

namespace Wharf.Http.Mirror;

/// <summary>One <see cref="RegistryClient"/> per configured upstream, made on first use and kept (its tokens and connections with it).</summary>
public sealed class ClientUpstreamRegistries : IUpstreamRegistries, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ClientUpstreamRegistry>> _registries = new(StringComparer.Ordinal);

    public IUpstreamRegistry For(UpstreamOptions upstream) =>
        _registries.GetOrAdd(upstream.Prefix, _ => new Lazy<ClientUpstreamRegistry>(() => new ClientUpstreamRegistry(upstream))).Value;

    public void Dispose()
    {
        foreach (var registry in _registries.Values.Where(r => r.IsValueCreated))
        {
            registry.Value.Dispose();
        }
    }
}

/// <summary>
/// An upstream reached through <see cref="RegistryClient"/> (the Bearer challenge and Basic, retries of transient
/// failures). Each call gets the upstream's <see cref="UpstreamOptions.Timeout"/> until its answer's headers; the client's
/// typed failures become the cache's three: not found, too many requests, unavailable.
/// </summary>
public sealed class ClientUpstreamRegistry(UpstreamOptions options) : IUpstreamRegistry, IDisposable
{
    private readonly RegistryClient _client = new(new RegistryClientOptions
    {
        BaseAddress = options.Url!,
        Username = options.Username,
        Password = options.Password,
    });

    public ValueTask<UpstreamManifest> GetManifestAsync(string name, string reference, CancellationToken cancellationToken) =>
        CallAsync(name, reference, async ct => await _client.GetManifestAsync(name, reference, cancellationToken: ct) is { } manifest
            ? new UpstreamManifest(manifest.Bytes.ToArray(), manifest.MediaType)
            : null, cancellationToken);

    public ValueTask<Digest> HeadManifestAsync(string name, string reference, CancellationToken cancellationToken) =>
        CallAsync(name, reference, async ct => (await _client.HeadManifestAsync(name, reference, cancellationToken: ct))?.Digest, cancellationToken);

    public ValueTask<UpstreamBlob> GetBlobAsync(string name, Digest digest, CancellationToken cancellationToken) =>
        CallAsync(name, digest.Value, async ct =>
        {
            var download = await _client.GetBlobAsync(name, digest, cancellationToken: ct);
            if (download is null)
            {
                return null;
            }

            if (download.Length is not { } length)
            {
                await download.DisposeAsync();
                throw new UpstreamException(UpstreamFailure.Unavailable, $"{options.Url} sent blob {digest} without a Content-Length");
            }

            return new UpstreamBlob(new DownloadStream(download), length);
        }, cancellationToken);

    public void Dispose() => _client.Dispose();

    private async ValueTask<T> CallAsync<T>(string name, string reference, Func<CancellationToken, Task<T?>> call, CancellationToken cancellationToken)
        where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        T? result;
        try
        {
            result = await call(timeout.Token);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailure.Unavailable, $"{options.Url} did not answer within {options.Timeout.TotalSeconds:0.#} s", error);
        }
        catch (RegistryUnavailableException error)
        {
            throw new UpstreamException(error.Reason == UnavailableReason.TooManyRequests ? UpstreamFailure.TooManyRequests : UpstreamFailure.Unavailable, error.Message, error, error.RetryAfter);
        }
        catch (RegistryClientException error)
        {
            // A refusal other than "not found" (credentials refused, 5xx the client does not retry): Wharf cannot use the upstream.
            throw new UpstreamException(UpstreamFailure.Unavailable, $"{options.Url} answered {(int)error.Status}: {error.Message}", error);
        }
        catch (InvalidDataException error)
        {
            throw new UpstreamException(UpstreamFailure.Unavailable, $"{options.Url}: {error.Message}", error);
        }

        return result ?? throw new UpstreamException(UpstreamFailure.NotFound, $"{options.Url} has no {name}:{reference}");
    }

    /// <summary>A download's body that releases its connection when disposed.</summary>
    private sealed class DownloadStream(BlobDownload download) : Core.Storage.ReadOnlyForwardingStream(download.Content)
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                download.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await download.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
