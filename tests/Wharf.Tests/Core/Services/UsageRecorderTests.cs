using System.Text;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services;

namespace Wharf.Tests.Core.Services;

public sealed class UsageRecorderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingWriter _writer = new();
    private readonly UsageRecorder _recorder;

    public UsageRecorderTests() => _recorder = new UsageRecorder(_writer, _time);

    private static Digest D(string seed) => Digest.Compute(Encoding.UTF8.GetBytes(seed));

    [Fact]
    public async Task Pulls_are_summed_per_repository_and_digest_with_the_last_pull_time_and_written_in_one_batch()
    {
        _recorder.RecordPull("a", D("1"));
        _time.Advance(TimeSpan.FromSeconds(3));
        _recorder.RecordPull("a", D("1"));
        _recorder.RecordPull("a", D("2"));
        _recorder.RecordPull("b", D("1"));
        _recorder.RecordPush("b");

        await _recorder.FlushAsync(CancellationToken.None);

        var batch = Assert.Single(_writer.Batches);
        ManifestPullDelta[] expected =
        [
            new("a", D("1"), 2, Start.AddSeconds(3)),
            new("a", D("2"), 1, Start.AddSeconds(3)),
            new("b", D("1"), 1, Start.AddSeconds(3)),
        ];
        Assert.Equal(Sorted(expected), Sorted(batch.Pulls));
        Assert.Equal([new RepositoryPushDelta("b", Start.AddSeconds(3))], batch.Pushes);
    }

    [Fact]
    public async Task A_flush_takes_only_what_was_counted_since_the_last_one_and_an_idle_flush_writes_nothing()
    {
        _recorder.RecordPull("a", D("1"));
        await _recorder.FlushAsync(CancellationToken.None);
        await _recorder.FlushAsync(CancellationToken.None); // idle: the counter is forgotten
        _recorder.RecordPull("a", D("1"));
        await _recorder.FlushAsync(CancellationToken.None);
        await _recorder.FlushAsync(CancellationToken.None);

        Assert.Equal([1L, 1L], _writer.Batches.Select(b => b.Pulls.Sum(p => p.Count)));
    }

    [Fact]
    public async Task Counts_of_a_failed_flush_are_kept_for_the_next_one()
    {
        _recorder.RecordPull("a", D("1"));
        _recorder.RecordPush("a");
        _writer.FailNext = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _recorder.FlushAsync(CancellationToken.None));
        _recorder.RecordPull("a", D("1"));
        await _recorder.FlushAsync(CancellationToken.None);

        var batch = Assert.Single(_writer.Batches);
        Assert.Equal(2, Assert.Single(batch.Pulls).Count);
        Assert.Single(batch.Pushes);
    }

    [Fact]
    public async Task A_push_keeps_the_latest_time()
    {
        _recorder.RecordPush("a");
        _time.Advance(TimeSpan.FromMinutes(1));
        _recorder.RecordPush("a");

        await _recorder.FlushAsync(CancellationToken.None);

        Assert.Equal([new RepositoryPushDelta("a", Start.AddMinutes(1))], Assert.Single(_writer.Batches).Pushes);
    }

    [Fact]
    public async Task No_pull_is_lost_or_counted_twice_while_flushes_run_concurrently()
    {
        const int Threads = 4, PullsPerThread = 50_000;
        using var stop = new CancellationTokenSource();
        var flusher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await _recorder.FlushAsync(CancellationToken.None);
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PullsPerThread; i++)
            {
                // Few keys, so counters are sealed and replaced while pulls race with the flush.
                _recorder.RecordPull("r" + (i % 3), D((i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        })));
        await stop.CancelAsync();
        await flusher;
        await _recorder.FlushAsync(CancellationToken.None);

        Assert.Equal((long)Threads * PullsPerThread, _writer.Batches.Sum(b => b.Pulls.Sum(p => p.Count)));
    }

    private static List<ManifestPullDelta> Sorted(IEnumerable<ManifestPullDelta> pulls) =>
        [.. pulls.OrderBy(p => p.Repository, StringComparer.Ordinal).ThenBy(p => p.Digest.Value, StringComparer.Ordinal)];

    private sealed class RecordingWriter : IUsageWriter
    {
        private readonly Lock _gate = new();

        public List<UsageBatch> Batches { get; } = [];

        public bool FailNext { get; set; }

        public ValueTask ApplyAsync(UsageBatch batch, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("store unavailable");
            }

            lock (_gate)
            {
                Batches.Add(batch);
            }

            return ValueTask.CompletedTask;
        }
    }
}
