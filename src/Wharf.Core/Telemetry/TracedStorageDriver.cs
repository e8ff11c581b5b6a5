using System.Diagnostics;
using System.Runtime.CompilerServices;
using Wharf.Core.Storage;

namespace Wharf.Core.Telemetry;

/// <summary>
/// A span (<c>storage.&lt;operation&gt;</c>, with the driver and the object's path) around every operation of another
/// driver. Capabilities are the inner driver's, passed through unchanged, so the fast paths stay on (their own calls
/// are not wrapped; an S3 driver's HTTP requests still show as client spans).
/// </summary>
public sealed class TracedStorageDriver(IStorageDriver inner, string driver) : IStorageDriver
{
    public T? GetCapability<T>()
        where T : class => inner.GetCapability<T>();

    public string? LocalFilePath(string path) => inner.LocalFilePath(path);

    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartStorage("storage.stat", driver, path);
        try
        {
            return await inner.StatAsync(path, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    /// <summary>The span covers opening the object; the caller's reading of the stream is part of its own span.</summary>
    public async ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartStorage("storage.open_read", driver, path);
        try
        {
            return await inner.OpenReadAsync(path, offset, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartStorage("storage.redirect_url", driver, path);
        try
        {
            return await inner.RedirectUrlAsync(path, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    /// <summary>The span covers opening the writer; the bytes written through it are part of the caller's span.</summary>
    public async ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartStorage("storage.open_writer", driver, path);
        try
        {
            return await inner.OpenWriterAsync(path, offset, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartStorage("storage.move", driver, source);
        span?.SetTag("wharf.storage.destination", destination);
        try
        {
            await inner.MoveAsync(source, destination, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartStorage("storage.publish", driver, source);
        span?.SetTag("wharf.storage.destination", destination);
        try
        {
            var outcome = await inner.PublishAsync(source, destination, expectedVersion, cancellationToken);
            span?.SetTag("wharf.storage.outcome", outcome.ToString());
            return outcome;
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartStorage("storage.delete", driver, path);
        try
        {
            await inner.DeleteAsync(path, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    /// <summary>
    /// One span from the first request to the last name (or the failure, or the caller leaving the listing). It is not
    /// made the current activity: the caller's own work between names belongs to the caller's span.
    /// </summary>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var caller = Activity.Current;
        using var span = WharfTracing.StartStorage("storage.list", driver, prefix);
        Activity.Current = caller;
        await using var names = inner.ListAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            string name;
            try
            {
                if (!await names.MoveNextAsync())
                {
                    break;
                }

                name = names.Current;
            }
            catch (Exception e) when (WharfTracing.Failed(span, e))
            {
                throw;
            }

            yield return name;
        }
    }
}
