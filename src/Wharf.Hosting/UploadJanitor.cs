using Wharf.Core.Services;

namespace Wharf.Hosting;

/// <summary>
/// Removes abandoned uploads every <see cref="UploadOptions.SweepInterval"/>, and whatever the storage driver left behind
/// (on S3: unfinished multipart uploads and data objects nothing points to; see docs/design/s3.md).
/// </summary>
public sealed partial class UploadJanitor(UploadService uploads, UploadOptions options, TimeProvider time, ILogger<UploadJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var removed = await uploads.SweepAsync(stoppingToken);
                if (removed > 0)
                {
                    LogSwept(logger, removed);
                }

                await Task.Delay(options.SweepInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.Data.Common.DbException or Wharf.Core.Storage.StorageUnavailableException)
            {
                LogSweepFailed(logger, e);
                await Task.Delay(options.SweepInterval, time, stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Removed {Count} abandoned uploads")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Sweeping abandoned uploads failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
