using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Auth;
using Wharf.Core.Metadata;

namespace Wharf.Tests.Metadata;

/// <summary>Signing keys and login failures: the auth state every instance on one database shares.</summary>
public abstract partial class MetadataStoreContract
{
    private SigningKeyRecord Key(string kid, int generation, string algorithm = "ES256") =>
        new(kid, algorithm, generation, "-----BEGIN PRIVATE KEY-----\n" + kid + "\n-----END PRIVATE KEY-----\n", Time.GetUtcNow(), null);

    [Fact]
    public async Task A_signing_key_reads_back_whole_and_keys_list_by_algorithm_then_generation()
    {
        Assert.True(await SigningKeyStore.AddAsync(Key("es-2", 2), None));
        Assert.True(await SigningKeyStore.AddAsync(Key("rs-1", 1, "RS256"), None));
        Assert.True(await SigningKeyStore.AddAsync(Key("es-1", 1), None));

        var keys = await SigningKeyStore.ListAsync(None);

        Assert.Equal(["es-1", "es-2", "rs-1"], keys.Select(k => k.Kid));
        Assert.Equal(Key("es-1", 1), keys[0]);
        Assert.DoesNotContain("PRIVATE", keys[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_generation_or_kid_is_refused_and_the_first_key_stays()
    {
        Assert.True(await SigningKeyStore.AddAsync(Key("first", 1), None));

        Assert.False(await SigningKeyStore.AddAsync(Key("second", 1), None));
        Assert.False(await SigningKeyStore.AddAsync(Key("first", 2), None));
        Assert.True(await SigningKeyStore.AddAsync(Key("second", 1, "RS256"), None));

        Assert.Equal(["first", "second"], (await SigningKeyStore.ListAsync(None)).Select(k => k.Kid));
    }

    [Fact]
    public async Task Concurrent_adds_of_one_generation_have_exactly_one_winner()
    {
        var added = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Task.Run(async () => await SigningKeyStore.AddAsync(Key("racer-" + i, 1), None))));

        Assert.Single(added, a => a);
        var stored = Assert.Single(await SigningKeyStore.ListAsync(None));
        Assert.Equal("racer-" + Array.IndexOf(added, true), stored.Kid);
    }

    [Fact]
    public async Task A_retired_key_stays_listed_with_its_time_and_retiring_twice_reports_false()
    {
        await SigningKeyStore.AddAsync(Key("k", 1), None);
        Time.Advance(TimeSpan.FromDays(3));

        Assert.True(await SigningKeyStore.RetireAsync("k", Time.GetUtcNow(), None));
        Assert.False(await SigningKeyStore.RetireAsync("k", Time.GetUtcNow(), None));
        Assert.False(await SigningKeyStore.RetireAsync("missing", Time.GetUtcNow(), None));

        Assert.Equal(Time.GetUtcNow(), Assert.Single(await SigningKeyStore.ListAsync(None)).RetiredAt);
    }

    [Fact]
    public async Task Concurrent_first_starts_end_with_one_signing_key_that_all_of_them_sign_with()
    {
        var instances = Enumerable.Range(0, 8)
            .Select(_ => new SigningKeys(new StoredSigningKeySource(SigningKeyStore, Time, NullLogger<StoredSigningKeySource>.Instance), "ES256", Time))
            .ToList();

        await Task.WhenAll(instances.Select(k => Task.Run(async () => await k.InitializeAsync(None))));

        var stored = Assert.Single(await SigningKeyStore.ListAsync(None));
        Assert.Equal(1, stored.Generation);
        Assert.All(instances, k => Assert.Equal(stored.Kid, k.Credentials.Key.KeyId));
    }

    [Fact]
    public async Task The_nth_latest_failure_counts_only_the_window_and_takes_the_latest_over_keys()
    {
        var start = Time.GetUtcNow();
        foreach (var seconds in new[] { 0, 10, 20, 30 })
        {
            await LoginFailures.RecordAsync(["ip:10.0.0.1", "user:alice"], start.AddSeconds(seconds), None);
        }

        await LoginFailures.RecordAsync(["user:alice"], start.AddSeconds(40), None);

        Assert.Equal(start.AddSeconds(10), await LoginFailures.NthLatestAsync(["ip:10.0.0.1"], 3, start.AddSeconds(-1), None));
        Assert.Equal(start.AddSeconds(20), await LoginFailures.NthLatestAsync(["ip:10.0.0.1", "user:alice"], 3, start.AddSeconds(-1), None));
        Assert.Null(await LoginFailures.NthLatestAsync(["ip:10.0.0.1"], 3, start.AddSeconds(10), None)); // after 10 s: only 20 and 30
        Assert.Equal(start.AddSeconds(20), await LoginFailures.NthLatestAsync(["user:alice"], 3, start.AddSeconds(10), None));
        Assert.Null(await LoginFailures.NthLatestAsync(["ip:10.0.0.2", "user:bob"], 1, start.AddSeconds(-1), None));
        Assert.Null(await LoginFailures.NthLatestAsync([], 1, start.AddSeconds(-1), None));
    }

    [Fact]
    public async Task Failures_at_the_same_instant_all_count()
    {
        var now = Time.GetUtcNow();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(async () => await LoginFailures.RecordAsync(["ip:10.0.0.1"], now, None))));

        Assert.Equal(now, await LoginFailures.NthLatestAsync(["ip:10.0.0.1"], 20, now.AddSeconds(-1), None));
        Assert.Null(await LoginFailures.NthLatestAsync(["ip:10.0.0.1"], 21, now.AddSeconds(-1), None));
    }

    [Fact]
    public async Task Pruning_removes_failures_up_to_the_cutoff_only()
    {
        var start = Time.GetUtcNow();
        await LoginFailures.RecordAsync(["ip:a", "user:a"], start, None);
        await LoginFailures.RecordAsync(["ip:a"], start.AddSeconds(5), None);
        await LoginFailures.RecordAsync(["ip:a"], start.AddSeconds(6), None);

        Assert.Equal(3, await LoginFailures.PruneAsync(start.AddSeconds(5), None));

        Assert.Equal(start.AddSeconds(6), await LoginFailures.NthLatestAsync(["ip:a", "user:a"], 1, start.AddSeconds(-1), None));
        Assert.Null(await LoginFailures.NthLatestAsync(["ip:a"], 2, start.AddSeconds(-1), None));
        Assert.Equal(0, await LoginFailures.PruneAsync(start.AddSeconds(5), None));
    }
}
