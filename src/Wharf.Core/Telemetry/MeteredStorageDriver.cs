using System.Diagnostics;
using System.Runtime.CompilerServices;
using Wharf.Core.Storage;

namespace Wharf.Core.Telemetry;

/// <summary>
/// Times every operation of another driver and counts its failures (<c>wharf.storage.operation.*</c>, labelled with
/// <paramref name="driver"/> and the operation). Capabilities are the inner driver's, passed through unchanged.
/// </summary>
public sealed class MeteredStorageDriver(IStorageDriver inner, string driver, WharfMetrics metrics) : IStorageDriver
{
    public T? GetCapability<T>()
        where T : class => inner.GetCapability<T>();

    public string? LocalFilePath(string path) => inner.LocalFilePath(path);

    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.StatAsync(path, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.StorageOperation(driver, "stat", started, error);
        }
    }

    public async ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.OpenReadAsync(path, offset, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.StorageOperation(driver, "open_read", started, error);
        }
    }

    public async ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.RedirectUrlAsync(path, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.StorageOperation(driver, "redirect_url", started, error);
        }
    }

    public async ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.OpenWriterAsync(path, offset, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.StorageOperation(driver, "open_writer", started, error);
        }
    }

    public async ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            await inner.MoveAsync(source, destination, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.StorageOperation(driver, "move", started, error);
        }
    }

    public async ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.PublishAsync(source, destination, expectedVersion, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.StorageOperation(driver, "publish", started, error);
        }
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            await inner.DeleteAsync(path, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.StorageOperation(driver, "delete", started, error);
        }
    }

    /// <summary>Timed from the first request to the last name (or the failure); a listing abandoned part-way is not recorded.</summary>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
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
            catch (Exception e)
            {
                metrics.StorageOperation(driver, "list", started, e);
                throw;
            }

            yield return name;
        }

        metrics.StorageOperation(driver, "list", started, null);
    }
}
