namespace Wharf.Client;

/// <summary>Bearer tokens by scope, each until shortly before it expires.</summary>
internal sealed class TokenCache(TimeProvider time)
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool Has(string scope) => Get(scope) is not null;

    public string? Get(string scope)
    {
        lock (_lock)
        {
            return _tokens.TryGetValue(scope, out var entry) && entry.Until > time.GetUtcNow() ? entry.Token : null;
        }
    }

    public void Put(string scope, string token, TimeSpan lifetime)
    {
        lock (_lock)
        {
            _tokens[scope] = (token, time.GetUtcNow() + (lifetime > Margin * 2 ? lifetime - Margin : lifetime));
        }
    }
}
