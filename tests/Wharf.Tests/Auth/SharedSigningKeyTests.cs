using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Auth;

/// <summary>Signing keys in the metadata store as several instances see them: first start, rotation, retirement, the legacy directory.</summary>
public sealed class SharedSigningKeyTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _temp = new("wharf-keys");
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _temp.Combine("wharf.db");

    public async Task InitializeAsync() => await OpenAsync();

    public Task DisposeAsync()
    {
        _databases.ForEach(d => d.Dispose());
        _temp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A store over the shared database file with its own connections and writer, as another process would have.</summary>
    private async Task<ISigningKeyStore> OpenAsync()
    {
        var database = new SqliteDatabase(DatabasePath);
        _databases.Add(database);
        await database.MigrateAsync(CancellationToken.None);
        return new SqlSigningKeyStore(database);
    }

    private SigningKeys Keys(ISigningKeyStore store, string algorithm = "ES256", string? legacy = null) =>
        new(new StoredSigningKeySource(store, _time, NullLogger<StoredSigningKeySource>.Instance, legacy), algorithm, _time);

    private (TokenIssuer Issuer, TokenValidator Validator) Tokens(SigningKeys keys)
    {
        var options = new AuthOptions { Mode = AuthMode.Token };
        return (new TokenIssuer(options, keys, new AccessPolicy(options), _time), new TokenValidator(options, keys, _time));
    }

    [Fact]
    public async Task Two_processes_starting_at_the_same_moment_end_with_one_key_and_accept_each_others_tokens()
    {
        var (a, b) = (Keys(await OpenAsync()), Keys(await OpenAsync()));

        await Task.WhenAll(Task.Run(() => a.InitializeAsync(CancellationToken.None)), Task.Run(() => b.InitializeAsync(CancellationToken.None)));

        var stored = Assert.Single(await (await OpenAsync()).ListAsync(CancellationToken.None));
        Assert.Equal(stored.Kid, a.Credentials.Key.KeyId);
        Assert.Equal(stored.Kid, b.Credentials.Key.KeyId);
        var issued = Tokens(a).Issuer.Issue(new Principal("alice", []), [], offline: false);
        Assert.Equal("alice", (await Tokens(b).Validator.ValidateAccessAsync(issued.AccessToken))?.Subject);
    }

    [Fact]
    public async Task A_restart_keeps_the_key()
    {
        var first = Keys(await OpenAsync());
        await first.InitializeAsync(CancellationToken.None);
        var issued = Tokens(first).Issuer.Issue(new Principal("alice", []), [], offline: true);

        var restarted = Keys(await OpenAsync());
        await restarted.InitializeAsync(CancellationToken.None);

        Assert.Equal(first.Credentials.Key.KeyId, restarted.Credentials.Key.KeyId);
        Assert.NotNull(await Tokens(restarted).Validator.ValidateRefreshAsync(issued.RefreshToken!));
    }

    [Fact]
    public async Task A_rotated_key_verifies_at_once_and_signs_only_after_the_activation_delay()
    {
        var store = await OpenAsync();
        var (a, b) = (Keys(store), Keys(await OpenAsync()));
        await a.InitializeAsync(CancellationToken.None);
        await b.InitializeAsync(CancellationToken.None);
        var old = a.Credentials.Key.KeyId;
        _time.Advance(TimeSpan.FromDays(1));

        var rotated = await StoredSigningKeySource.AddNextAsync(store, await store.ListAsync(CancellationToken.None), "ES256", _time, CancellationToken.None);
        await a.ReloadAsync(CancellationToken.None);

        Assert.NotNull(rotated);
        Assert.Equal(2, rotated.Generation);
        Assert.Equal(old, a.Credentials.Key.KeyId); // not everyone has loaded the new key yet
        Assert.Equal(2, a.All.Count);
        _time.Advance(SigningKeys.ActivationDelay);
        Assert.Equal(rotated.Kid, a.Credentials.Key.KeyId);

        // b has not reloaded since the rotation: a token naming the new key makes it look.
        var issued = Tokens(a).Issuer.Issue(new Principal("alice", []), [], offline: false);
        Assert.Equal("alice", (await Tokens(b).Validator.ValidateAccessAsync(issued.AccessToken))?.Subject);
        Assert.Equal(rotated.Kid, b.Credentials.Key.KeyId);
    }

    [Fact]
    public async Task A_key_rotated_right_after_the_first_start_waits_its_turn_too()
    {
        var store = await OpenAsync();
        var keys = Keys(store);
        await keys.InitializeAsync(CancellationToken.None);
        var first = keys.Credentials.Key.KeyId;

        var rotated = await StoredSigningKeySource.AddNextAsync(store, await store.ListAsync(CancellationToken.None), "ES256", _time, CancellationToken.None);
        await keys.ReloadAsync(CancellationToken.None);

        Assert.Equal(first, keys.Credentials.Key.KeyId);
        _time.Advance(SigningKeys.ActivationDelay - TimeSpan.FromSeconds(1));
        Assert.Equal(first, keys.Credentials.Key.KeyId);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(rotated!.Kid, keys.Credentials.Key.KeyId);
    }

    [Fact]
    public async Task Tokens_naming_unknown_keys_reload_at_most_once_per_period()
    {
        var store = await OpenAsync();
        var keys = Keys(store);
        await keys.InitializeAsync(CancellationToken.None);

        Assert.False(await keys.RefreshForUnknownKeyAsync("garbage-1", CancellationToken.None));
        var added = await StoredSigningKeySource.AddNextAsync(store, await store.ListAsync(CancellationToken.None), "ES256", _time, CancellationToken.None);

        Assert.False(await keys.RefreshForUnknownKeyAsync(added!.Kid, CancellationToken.None)); // within the period: no query
        _time.Advance(SigningKeys.UnknownKeyRefreshPeriod);
        Assert.True(await keys.RefreshForUnknownKeyAsync(added.Kid, CancellationToken.None));
    }

    [Fact]
    public async Task A_retired_key_stops_verifying_after_a_reload_and_a_fresh_one_replaces_it_when_none_is_left()
    {
        var store = await OpenAsync();
        var keys = Keys(store);
        await keys.InitializeAsync(CancellationToken.None);
        var (issuer, validator) = Tokens(keys);
        var issued = issuer.Issue(new Principal("alice", []), [], offline: false);
        var old = keys.Credentials.Key.KeyId;

        Assert.True(await store.RetireAsync(old, _time.GetUtcNow(), CancellationToken.None));
        await keys.ReloadAsync(CancellationToken.None);

        Assert.Null(await validator.ValidateAccessAsync(issued.AccessToken));
        Assert.NotEqual(old, keys.Credentials.Key.KeyId);
        var stored = await store.ListAsync(CancellationToken.None);
        Assert.Equal([1, 2], stored.Select(k => k.Generation));
        Assert.NotNull(await validator.ValidateAccessAsync(issuer.Issue(new Principal("alice", []), [], offline: false).AccessToken));
    }

    [Fact]
    public async Task Keys_of_another_algorithm_verify_but_do_not_sign()
    {
        var store = await OpenAsync();
        var es = Keys(store, "ES256");
        await es.InitializeAsync(CancellationToken.None);
        var rs = Keys(store, "RS256");
        await rs.InitializeAsync(CancellationToken.None);
        await es.ReloadAsync(CancellationToken.None);

        Assert.Equal("RS256", rs.Credentials.Algorithm);
        Assert.Equal(2, es.All.Count);
        var issued = Tokens(rs).Issuer.Issue(new Principal("alice", []), [], offline: false);
        Assert.NotNull(await Tokens(es).Validator.ValidateAccessAsync(issued.AccessToken));
    }

    [Fact]
    public async Task Keys_of_the_legacy_directory_are_imported_into_an_empty_store_and_keep_their_tokens_valid()
    {
        var legacy = _temp.CreateSubdirectory("auth-keys");
        var before = SigningKeys.LoadOrCreate(legacy, "ES256");
        var issued = Tokens(before).Issuer.Issue(new Principal("alice", []), [], offline: true);
        var store = await OpenAsync();

        var after = Keys(store, legacy: legacy);
        await after.InitializeAsync(CancellationToken.None);

        Assert.Equal(before.Credentials.Key.KeyId, Assert.Single(await store.ListAsync(CancellationToken.None)).Kid);
        Assert.Equal(before.Credentials.Key.KeyId, after.Credentials.Key.KeyId);
        Assert.NotNull(await Tokens(after).Validator.ValidateRefreshAsync(issued.RefreshToken!));

        // Once the store holds keys, the directory is not read again.
        SigningKeys.LoadOrCreate(legacy, "RS256");
        await Keys(store, legacy: legacy).InitializeAsync(CancellationToken.None);
        Assert.Single(await store.ListAsync(CancellationToken.None));
    }
}
