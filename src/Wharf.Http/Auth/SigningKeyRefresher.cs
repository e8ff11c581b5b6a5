using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.Auth;

namespace Wharf.Http.Auth;

/// <summary>
/// Reloads the signing keys every <see cref="SigningKeys.RefreshInterval"/>, so that keys rotated or retired by another
/// process (<c>wharf token rotate-key</c>, <c>retire-key</c>) take effect here without a restart. A failed reload keeps
/// the keys already loaded.
/// </summary>
public sealed partial class SigningKeyRefresher(SigningKeys keys, TimeProvider time, ILogger<SigningKeyRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SigningKeys.RefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await keys.ReloadAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReloadFailed(logger, keys.Source, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Reloading the token signing keys from {Source} failed; the keys loaded before stay in use")]
    private static partial void LogReloadFailed(ILogger logger, string source, Exception exception);
}
