using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wharf.Core.Metadata;

namespace Wharf.Auth;

/// <summary>
/// Counts failed logins in a sliding window, in the metadata store, so that every instance on one database counts
/// the same failures. Two counts decide: one per username and client address (past
/// <see cref="ThrottleOptions.MaxFailures"/> that user is refused from that address only, so a guesser elsewhere never
/// locks a user out), and one per client address (past <see cref="ThrottleOptions.MaxFailuresPerAddress"/> everyone
/// from there is refused, against guessing across many names). A refused attempt waits until the oldest counted
/// failure leaves <see cref="ThrottleOptions.Window"/>. The same wrong username and password from the same address
/// count once per window (<see cref="RepeatedCredentials"/>): clients such as containerd's resolver resend one bad
/// credential a dozen times in a single push, and that is one mistake, not a dozen guesses. Costs two indexed reads
/// per login attempt and one insert per counted failure; no lock is held in between. When the store cannot be asked,
/// this instance's own count decides.
/// </summary>
public sealed partial class LoginThrottle(AuthOptions options, ILoginFailureStore store, TimeProvider time, ILogger<LoginThrottle> logger)
{
    private const int MaxKeyLength = 200;
    private readonly LocalLoginFailures _local = new(options, time);
    private readonly RepeatedCredentials _repeated = new(options, time);
    private readonly Lock _pruneGate = new();
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    private TimeSpan Window => options.Throttle.Window;

    /// <summary>How long the caller must wait, or null when it may try now.</summary>
    public async ValueTask<TimeSpan?> RetryAfterAsync(string client, string? username, CancellationToken cancellationToken)
    {
        var (address, user) = Keys(client, username);
        if (_local.RetryAfter(address, user) is { } wait)
        {
            return wait; // This instance alone has seen enough failures: the shared count can only be higher.
        }

        var now = time.GetUtcNow();
        try
        {
            var blocking = await store.NthLatestAsync([address], options.Throttle.MaxFailuresPerAddress, now - Window, cancellationToken);
            if (user is not null && await store.NthLatestAsync([user], options.Throttle.MaxFailures, now - Window, cancellationToken) is { } userBlocking
                && (blocking is null || userBlocking > blocking))
            {
                blocking = userBlocking;
            }

            return blocking is { } at ? at + Window - now : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(logger, e);
            return null;
        }
    }

    /// <summary>
    /// Counts a failed login, unless the same <paramref name="username"/> and <paramref name="password"/> already failed
    /// from <paramref name="client"/> within the window. Never cancelled by the caller: a client hanging up must not
    /// escape the count.
    /// </summary>
    public async ValueTask RecordFailureAsync(string client, string? username, string? password = null)
    {
        if (password is not null && !_repeated.FirstTime(client, username ?? "", password))
        {
            return;
        }

        var now = time.GetUtcNow();
        var (address, user) = Keys(client, username);
        _local.RecordFailure(address, user);
        try
        {
            await store.RecordAsync(user is null ? [address] : [address, user], now, CancellationToken.None);
            if (PruneDue(now))
            {
                await store.PruneAsync(now - Window, CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            LogStoreFailed(logger, e);
        }
    }

    /// <summary>
    /// The store keys: <c>ip:&lt;address&gt;</c> and <c>user:&lt;address&gt;/&lt;name&gt;</c> (null without a name); an
    /// overlong one is replaced by its hash.
    /// </summary>
    internal static (string Address, string? User) Keys(string client, string? username) =>
        (Key("ip:", client), username is null ? null : Key("user:", client + "/" + username));

    private static string Key(string prefix, string value) =>
        prefix.Length + value.Length <= MaxKeyLength ? prefix + value
            : prefix + "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Old rows are removed by whichever failure comes first after a window has passed (per instance).</summary>
    private bool PruneDue(DateTimeOffset now)
    {
        lock (_pruneGate)
        {
            if (now < _nextPrune)
            {
                return false;
            }

            _nextPrune = now + Window;
            return true;
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "The shared login throttle is unavailable; this instance's own count of failures decides meanwhile")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
