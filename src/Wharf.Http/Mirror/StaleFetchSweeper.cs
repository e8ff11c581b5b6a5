using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.Core.Mirror;

namespace Wharf.Http.Mirror;

/// <summary>At start, removes the temp files of blob fetches a crash cut short (<see cref="StaleFetchFiles"/>).</summary>
public sealed partial class StaleFetchSweeper(MirrorOptions options, TimeProvider time, ILogger<StaleFetchSweeper> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var removed = StaleFetchFiles.Sweep(options, time.GetUtcNow());
            if (removed > 0)
            {
                LogSwept(logger, removed, options.FetchDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSweepFailed(logger, options.FetchDirectory, e);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} temp files of blob fetches cut short by a crash from {Directory}")]
    private static partial void LogSwept(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sweep the temp files of cut blob fetches in {Directory}")]
    private static partial void LogSweepFailed(ILogger logger, string directory, Exception exception);
}
