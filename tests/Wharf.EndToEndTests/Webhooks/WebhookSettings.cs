using System.Globalization;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>
/// The webhook configuration these tests give Wharf: one endpoint (<see cref="Endpoint"/>, Distribution's envelope,
/// signed with <see cref="Secret"/>, manifest pushes only) and a dispatcher tuned for tests: it polls every 100 ms and
/// retries after 50–200 ms, and gives up only after 1000 attempts, so a receiver that is down for a while loses nothing.
/// </summary>
internal static class WebhookSettings
{
    public const string Endpoint = "hook";

    public const string Secret = "e2e-webhook-secret";

    /// <summary>Configuration keys, for an in-process server.</summary>
    public static Dictionary<string, string?> For(Uri receiver, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Webhooks:Endpoints:0:Name"] = Endpoint,
            ["Webhooks:Endpoints:0:Url"] = receiver.ToString(),
            ["Webhooks:Endpoints:0:Secret"] = Secret,
            ["Webhooks:Endpoints:0:Format"] = "distribution",
            ["Webhooks:Endpoints:0:Actions:0"] = "manifest.push",
            ["Webhooks:Endpoints:0:MaxAttempts"] = "1000",
            ["Webhooks:Endpoints:0:Timeout"] = "00:00:05",
            ["Webhooks:PollInterval"] = "00:00:00.100",
            ["Webhooks:MinBackoff"] = "00:00:00.050",
            ["Webhooks:MaxBackoff"] = "00:00:00.200",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The same keys as <c>WHARF_…</c> environment variables, for a <c>wharf serve</c> process.</summary>
    public static Dictionary<string, string> AsEnvironment(IReadOnlyDictionary<string, string?> settings) =>
        settings.ToDictionary(kv => "WHARF_" + kv.Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(), kv => kv.Value ?? "");

    /// <summary>A test size from the environment, or <paramref name="fallback"/> (the CI size).</summary>
    public static int Size(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
