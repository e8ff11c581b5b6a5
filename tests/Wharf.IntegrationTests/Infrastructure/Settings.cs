namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Server settings as configuration keys, e.g. ("Uploads:ExpireAfter", "00:10:00").</summary>
public static class Settings
{
    public static IReadOnlyDictionary<string, string?> Of(params (string Key, string Value)[] pairs)
        => pairs.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.OrdinalIgnoreCase);
}
