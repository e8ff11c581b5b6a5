namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>
/// Server settings. Each key is given both bare ("Uploads:ExpireAfter") and under "Wharf:"
/// because the TestKit documents the prefixed form; Wharf reads one of them.
/// </summary>
public static class Settings
{
    public static IReadOnlyDictionary<string, string?> Of(params (string Key, string Value)[] pairs)
    {
        var d = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in pairs)
        {
            d[key] = value;
            d["Wharf:" + key] = value;
        }

        return d;
    }
}
