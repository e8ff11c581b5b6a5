using Microsoft.IdentityModel.Tokens;

namespace Wharf.Auth;

/// <summary>
/// Wharf's own token signing keys, from an <see cref="ISigningKeySource"/> (by default the metadata store, shared by
/// every instance). Every key not retired verifies; the newest of the configured algorithm that is at least
/// <see cref="ActivationDelay"/> old signs (or the oldest, when none is that old yet), so that a key added by a
/// rotation is known to every instance before any of them signs with it. Loaded at start
/// (<see cref="InitializeAsync"/>) and again every <see cref="RefreshInterval"/> and when a token names an unknown
/// key (<see cref="RefreshForUnknownKeyAsync"/>). Thread-safe: readers see one consistent snapshot.
/// </summary>
public sealed class SigningKeys
{
    /// <summary>How often the keys are reloaded, picking up rotations and retirements made by other processes.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    /// <summary>How old a key must be before it signs: two refresh intervals, so every instance has loaded it by then.</summary>
    public static readonly TimeSpan ActivationDelay = 2 * RefreshInterval;

    /// <summary>The shortest time between two reloads caused by tokens naming an unknown key (garbage costs one query per period).</summary>
    public static readonly TimeSpan UnknownKeyRefreshPeriod = TimeSpan.FromSeconds(5);

    private readonly ISigningKeySource _source;
    private readonly string _algorithm;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly Lock _unknownKeyGate = new();
    private volatile Snapshot? _current;
    private DateTimeOffset _lastUnknownKeyRefresh = DateTimeOffset.MinValue;

    public SigningKeys(ISigningKeySource source, string algorithm, TimeProvider time)
    {
        _source = source;
        _algorithm = algorithm;
        _time = time;
    }

    /// <summary>Where the keys come from (for logs).</summary>
    public string Source => _source.Description;

    /// <summary>The key that signs now.</summary>
    public SigningCredentials Credentials => Current.SigningAt(_time.GetUtcNow());

    /// <summary>Every key whose signatures are accepted now.</summary>
    public IReadOnlyList<SecurityKey> All => Current.All;

    private Snapshot Current => _current ?? throw new InvalidOperationException("the signing keys are used before they were loaded (SigningKeys.InitializeAsync)");

    /// <summary>Keys from (or created in) <paramref name="directory"/>, loaded now: for tools and tests.</summary>
    public static SigningKeys LoadOrCreate(string directory, string algorithm)
    {
        var keys = new SigningKeys(new DirectorySigningKeySource(directory), algorithm, TimeProvider.System);
        keys.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult(); // The directory source completes synchronously.
        return keys;
    }

    /// <summary>The <c>kid</c> of a public key (see <see cref="SigningKeyPem.KeyId"/>).</summary>
    public static string KeyId(byte[] subjectPublicKeyInfo) => SigningKeyPem.KeyId(subjectPublicKeyInfo);

    /// <summary>Loads the keys, creating one of the configured algorithm when there is none. Idempotent.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_current is null)
        {
            await ReloadAsync(cancellationToken);
        }
    }

    /// <summary>Reloads the keys now (the periodic refresh).</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>
    /// Reloads the keys because a token named <paramref name="kid"/>, unless it is known already or a reload for an
    /// unknown key ran less than <see cref="UnknownKeyRefreshPeriod"/> ago. True when the key is known afterwards.
    /// </summary>
    public async Task<bool> RefreshForUnknownKeyAsync(string kid, CancellationToken cancellationToken)
    {
        if (Knows(kid))
        {
            return true;
        }

        var now = _time.GetUtcNow();
        lock (_unknownKeyGate)
        {
            if (now - _lastUnknownKeyRefresh < UnknownKeyRefreshPeriod)
            {
                return false;
            }

            _lastUnknownKeyRefresh = now;
        }

        await LoadAsync(cancellationToken);
        return Knows(kid);
    }

    /// <summary>
    /// Which of the keys of one algorithm (generation, creation time) signs at <paramref name="now"/>: the newest that is
    /// at least <see cref="ActivationDelay"/> old, or else the oldest (at first start, the only one); null when there are none.
    /// </summary>
    public static long? SigningGeneration(IEnumerable<(long Generation, DateTimeOffset CreatedAt)> keys, DateTimeOffset now)
    {
        var newestFirst = keys.OrderByDescending(k => k.Generation).ToList();
        return newestFirst.Count == 0 ? null : newestFirst.FirstOrDefault(k => k.CreatedAt <= now - ActivationDelay, newestFirst[^1]).Generation;
    }

    private bool Knows(string kid) => _current is { } current && current.All.Any(k => k.KeyId == kid);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            var keys = await _source.LoadOrCreateAsync(_algorithm, cancellationToken);
            _current = new Snapshot(keys, _algorithm);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Keys as loaded: all verify; of the configured algorithm, the newest past the activation delay signs, else the oldest.</summary>
    internal sealed class Snapshot
    {
        private readonly List<(SigningKeyMaterial Key, SigningCredentials Credentials)> _candidates;

        public Snapshot(IReadOnlyList<SigningKeyMaterial> keys, string algorithm)
        {
            _candidates = [.. keys.Where(k => k.Algorithm == algorithm).OrderByDescending(k => k.Generation).Select(k => (k, new SigningCredentials(k.Key, algorithm)))];
            if (_candidates.Count == 0)
            {
                throw new InvalidOperationException($"no {algorithm} signing key");
            }

            All = [.. keys.Select(k => k.Key)];
        }

        public IReadOnlyList<SecurityKey> All { get; }

        public SigningCredentials SigningAt(DateTimeOffset now)
        {
            var generation = SigningGeneration(_candidates.Select(c => (c.Key.Generation, c.Key.CreatedAt)), now);
            return _candidates.First(c => c.Key.Generation == generation).Credentials;
        }
    }
}
