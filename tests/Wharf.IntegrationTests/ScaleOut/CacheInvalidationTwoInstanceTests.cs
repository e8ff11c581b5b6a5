using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Wharf.Core.Metadata.Caching;
using Wharf.Core.Services.Gc;
using Wharf.Hosting;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;
using Xunit.Abstractions;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// Two real instances on one PostgreSQL schema, each with its metadata caches on: A caches a manifest, B changes it,
/// and A answers the new truth as soon as B's announcement has reached it (docs/design/cache-invalidation.md). Each
/// test waits for the announcement A's <see cref="CacheCoherence"/> reports, within a bound, never for a fixed time.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class CacheInvalidationTwoInstanceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_tag_moved_on_B_is_forgotten_by_A_once_announced()
    {
        await using var pair = await CachedPair.StartAsync();
        var first = await pair.B.PushImageAsync("team/app", "latest");
        await pair.AssertServedByACachedAsync("team/app", "latest", first.Digest);

        var heard = pair.NextOnA(e => e.Changes.Contains(new CacheChange(CacheChangeKind.Tag, "team/app", "latest")))
            .ContinueWith(_ => Stopwatch.GetTimestamp(), TaskScheduler.Default);
        var second = await pair.B.PushImageAsync("team/app", "latest");
        var acknowledged = Stopwatch.GetTimestamp();
        var heardAt = await heard.WaitAsync(Bound);

        output.WriteLine($"A heard the move {Stopwatch.GetElapsedTime(acknowledged, heardAt).TotalMilliseconds:F2} ms after B's 201 reached the client (negative: before)");
        Assert.False(pair.ACache.HoldsTag("team/app", "latest"));
        await pair.AssertServedByACachedAsync("team/app", "latest", second.Digest);
    }

    [Fact]
    public async Task A_manifest_deleted_on_B_is_gone_on_A_by_tag_and_by_digest_once_announced()
    {
        await using var pair = await CachedPair.StartAsync();
        var image = await pair.B.PushImageAsync("team/app", "v1");
        await pair.AssertServedByACachedAsync("team/app", "v1", image.Digest);
        Assert.Equal(HttpStatusCode.OK, await pair.A.ManifestStatusAsync("team/app", image.Digest));
        Assert.Equal(HttpStatusCode.OK, await pair.A.ManifestStatusAsync("team/app", image.Digest)); // cached by digest

        var heard = pair.NextOnA(e => e.Changes.Contains(new CacheChange(CacheChangeKind.Manifest, "team/app", image.Digest)));
        using (var delete = await pair.B.DeleteAsync($"/v2/team/app/manifests/{image.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        await heard.WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.NotFound, await pair.A.ManifestStatusAsync("team/app", image.Digest));
        Assert.Equal(HttpStatusCode.NotFound, await pair.A.ManifestStatusAsync("team/app", "v1"));
    }

    [Fact]
    public async Task A_repository_deleted_on_B_is_gone_on_A_with_its_blobs_once_announced()
    {
        await using var pair = await CachedPair.StartAsync();
        var image = await pair.B.PushImageAsync("team/app", "v1");
        await pair.AssertServedByACachedAsync("team/app", "v1", image.Digest);
        Assert.Equal(HttpStatusCode.OK, await pair.A.BlobStatusAsync("team/app", image.Layers[0].Digest));

        var heard = pair.NextOnA(e => e.Changes.Contains(new CacheChange(CacheChangeKind.Repository, "team/app")));
        using (var delete = await pair.B.Http.DeleteAsync("/api/repository/team/app"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await heard.WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.NotFound, await pair.A.ManifestStatusAsync("team/app", "v1"));
        Assert.Equal(HttpStatusCode.NotFound, await pair.A.ManifestStatusAsync("team/app", image.Digest));
        Assert.Equal(HttpStatusCode.NotFound, await pair.A.BlobStatusAsync("team/app", image.Layers[0].Digest));
    }

    [Fact]
    public async Task A_repository_deleted_by_a_command_beside_the_servers_is_heard_and_the_command_reads_the_database()
    {
        await using var pair = await CachedPair.StartAsync();
        var image = await pair.B.PushImageAsync("team/app", "v1");
        await pair.AssertServedByACachedAsync("team/app", "v1", image.Digest);

        // What `wharf repo delete` runs: the command's own container, which starts no hosted service (no listener).
        await using var command = WharfServices.BuildProvider(WharfConfiguration.Build(null, pair.CommandSettings));
        Assert.False(command.GetRequiredService<CacheCoherence>().IsServing);
        var heard = pair.NextOnA(e => e.Changes.Contains(new CacheChange(CacheChangeKind.Repository, "team/app")));
        Assert.True((await command.GetRequiredService<RepositoryRemover>().DeleteAsync("team/app", CancellationToken.None)).IsOk);

        await heard.WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.NotFound, await pair.A.ManifestStatusAsync("team/app", "v1"));
    }

    [Fact]
    public async Task Killing_the_listening_connection_turns_the_caches_off_until_it_listens_again_with_no_stale_answer()
    {
        await using var pair = await CachedPair.StartAsync();
        var listener = pair.A.Server.Services.GetRequiredService<CacheListener>();
        var first = await pair.B.PushImageAsync("team/app", "latest");
        await pair.AssertServedByACachedAsync("team/app", "latest", first.Digest);
        var killed = listener.ProcessId;
        var suspended = pair.NextOnA(e => e.Kind == CacheCoherenceEventKind.Suspended);
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.ReconnectScheduled += () => retrying.TrySetResult();

        await TerminateAsync(killed);
        await suspended.WaitAsync(Bound);
        await retrying.Task.WaitAsync(Bound);

        // While A is deaf, B moves the tag: its announcement never reaches A. A must not answer from memory.
        Assert.False(pair.ACoherence.IsServing);
        Assert.False(pair.ACache.HoldsTag("team/app", "latest"));
        var second = await pair.B.PushImageAsync("team/app", "latest");
        await pair.AssertServedByAAsync("team/app", "latest", second.Digest);
        await pair.AssertServedByAAsync("team/app", "latest", second.Digest);
        Assert.False(pair.ACache.HoldsTag("team/app", "latest")); // nothing is cached while deaf

        var resumed = pair.NextOnA(e => e.Kind == CacheCoherenceEventKind.Resumed);
        pair.ATime.Advance(TimeSpan.FromSeconds(1)); // Cache:ListenerReconnectDelay
        await resumed.WaitAsync(Bound);
        Assert.NotEqual(0, listener.ProcessId);
        Assert.NotEqual(killed, listener.ProcessId);
        await pair.AssertServedByACachedAsync("team/app", "latest", second.Digest);

        // Listening again: B's next move reaches A.
        var heard = pair.NextOnA(e => e.Changes.Contains(new CacheChange(CacheChangeKind.Tag, "team/app", "latest")));
        var third = await pair.B.PushImageAsync("team/app", "latest");
        await heard.WaitAsync(Bound);
        await pair.AssertServedByACachedAsync("team/app", "latest", third.Digest);
    }

    [Fact]
    public async Task A_quiet_listener_checks_its_connection_and_keeps_listening()
    {
        await using var pair = await CachedPair.StartAsync();
        var listener = pair.A.Server.Services.GetRequiredService<CacheListener>();
        var listening = listener.ProcessId;

        // Cache:ListenerCheckInterval is 200 ms here: wait until the listener's backend has run its check query.
        var deadline = DateTime.UtcNow + Bound;
        while (await LastQueryAsync(listening) != "SELECT 1")
        {
            Assert.True(DateTime.UtcNow < deadline, "the listener never checked its connection");
            await Task.Delay(50);
        }

        Assert.True(pair.ACoherence.IsServing);
        Assert.Equal(listening, listener.ProcessId);
        var first = await pair.B.PushImageAsync("team/app", "latest");
        await pair.AssertServedByACachedAsync("team/app", "latest", first.Digest);
        var heard = pair.NextOnA(e => e.Changes.Contains(new CacheChange(CacheChangeKind.Tag, "team/app", "latest")));
        var second = await pair.B.PushImageAsync("team/app", "latest");
        await heard.WaitAsync(Bound);
        await pair.AssertServedByACachedAsync("team/app", "latest", second.Digest);
    }

    private static async Task<string?> LastQueryAsync(int processId)
    {
        await using var connection = new NpgsqlConnection(TestEngines.PostgreSql);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT query FROM pg_stat_activity WHERE pid = @p", connection);
        query.Parameters.AddWithValue("p", processId);
        return await query.ExecuteScalarAsync() as string;
    }

    private static async Task TerminateAsync(int processId)
    {
        Assert.NotEqual(0, processId);
        await using var connection = new NpgsqlConnection(TestEngines.PostgreSql);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@p)", connection);
        terminate.Parameters.AddWithValue("p", processId);
        Assert.Equal(true, await terminate.ExecuteScalarAsync());
    }

    /// <summary>
    /// A (on a fake clock, so that its reconnection waits for the test) and B, both listening, on one PostgreSQL schema.
    /// Blobs stay on the filesystem, in one data directory both use: only the metadata matters here, and the tests then
    /// need no object store.
    /// </summary>
    private sealed class CachedPair : IAsyncDisposable
    {
        private readonly string _schema;
        private readonly TempDirectory _data;

        private CachedPair(string schema, TempDirectory data, Dictionary<string, string?> settings, WharfTestServer a, WharfTestServer b, FakeTimeProvider time)
        {
            _schema = schema;
            _data = data;
            CommandSettings = new Dictionary<string, string?>(settings) { ["Data"] = data.Path };
            A = new Registry(a);
            B = new Registry(b);
            ATime = time;
        }

        public Registry A { get; }

        public Registry B { get; }

        public FakeTimeProvider ATime { get; }

        /// <summary>The configuration a <c>wharf</c> command beside the two servers would read.</summary>
        public Dictionary<string, string?> CommandSettings { get; }

        public CacheCoherence ACoherence => A.Server.Services.GetRequiredService<CacheCoherence>();

        public CachingManifestStore ACache => A.Server.Services.GetRequiredService<CachingManifestStore>();

        public static async Task<CachedPair> StartAsync()
        {
            var schema = TestEngines.UniqueName("cache");
            var data = new TempDirectory("wharf-cache-pair");
            var settings = new Dictionary<string, string?>
            {
                ["Metadata:Driver"] = "PostgreSql",
                ["Metadata:PostgreSql:ConnectionString"] = TestEngines.PostgreSql,
                ["Metadata:PostgreSql:Schema"] = schema,
                ["Cache:ListenerCheckInterval"] = "00:00:00.200",
            };
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var a = await WharfTestServer.StartAsync(settings, time, data.Path);
            var b = await WharfTestServer.StartAsync(settings, dataDirectory: data.Path);
            var pair = new CachedPair(schema, data, settings, a, b, time);
            await Task.WhenAll(ListeningAsync(a), ListeningAsync(b)).WaitAsync(Bound);
            return pair;
        }

        /// <summary>Completes when A's caches next report an event matching <paramref name="match"/>.</summary>
        public Task NextOnA(Func<CacheCoherenceEvent, bool> match) => Next(ACoherence, match);

        /// <summary>A answers <paramref name="digest"/> for the tag, and holds it in memory afterwards.</summary>
        public async Task AssertServedByACachedAsync(string repository, string tag, string digest)
        {
            await AssertServedByAAsync(repository, tag, digest);
            Assert.True(ACache.HoldsTag(repository, tag), "A did not cache the tag");
            await AssertServedByAAsync(repository, tag, digest);
        }

        public async Task AssertServedByAAsync(string repository, string tag, string digest)
        {
            using var served = await A.GetAsync($"/v2/{repository}/manifests/{tag}");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal(digest, Expect.Header(served, "Docker-Content-Digest"));
        }

        private static Task ListeningAsync(WharfTestServer server)
        {
            var coherence = server.Services.GetRequiredService<CacheCoherence>();
            var resumed = Next(coherence, e => e.Kind == CacheCoherenceEventKind.Resumed);
            return coherence.IsServing ? Task.CompletedTask : resumed;
        }

        private static Task Next(CacheCoherence coherence, Func<CacheCoherenceEvent, bool> match)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChanged(CacheCoherenceEvent e)
            {
                if (match(e))
                {
                    coherence.Changed -= OnChanged;
                    seen.TrySetResult();
                }
            }

            coherence.Changed += OnChanged;
            return seen.Task;
        }

        public async ValueTask DisposeAsync()
        {
            await A.Server.DisposeAsync();
            await B.Server.DisposeAsync();
            await using (var database = new PostgreSqlDatabase(TestEngines.PostgreSql, _schema))
            {
                await database.DropSchemaAsync(CancellationToken.None);
            }

            _data.Dispose();
        }
    }
}
