using System.Threading.Tasks.Sources;
using Wharf.Core.Services;

namespace Wharf.Tests.Core.Services;

/// <summary>How the body copier takes the results of reads that finished before it looked at them.</summary>
public sealed class BodyCopierTests
{
    [Theory]
    [InlineData(98_640)] // a short last block
    [InlineData(1024 * 1024)] // a full block
    [InlineData(0)] // the end of the body
    public async Task A_finished_read_backed_by_a_pooled_source_is_taken_once_whatever_its_count(int count)
    {
        var source = new PooledReadSource();
        var read = source.Finished(count);

        var task = BodyCopier.AsTask(read);

        Assert.Equal(count, await task);
        Assert.Equal(1, source.Taken);
    }

    [Fact]
    public async Task A_read_still_running_becomes_a_task_that_finishes_with_it()
    {
        var source = new PooledReadSource();
        var read = source.Pending();

        var task = BodyCopier.AsTask(read);
        Assert.False(task.IsCompleted);
        source.Complete(12);

        Assert.Equal(12, await task);
    }

    [Fact]
    public async Task A_finished_write_backed_by_a_pooled_source_is_taken_so_the_source_goes_back()
    {
        var pooled = new PooledWriteSource();
        await BodyCopier.AsTask(pooled.Finished());

        Assert.Equal(1, pooled.Taken);
    }

    private sealed class PooledWriteSource : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;

        public int Taken { get; private set; }

        public ValueTask Finished()
        {
            _core.SetResult(true);
            return new ValueTask(this, _core.Version);
        }

        public void GetResult(short token)
        {
            _core.GetResult(token);
            Taken++;
            _core.Reset();
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }

    /// <summary>Like the pooled sources behind a runtime's value tasks: taking the result hands the source back for reuse.</summary>
    private sealed class PooledReadSource : IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core;

        public int Taken { get; private set; }

        public ValueTask<int> Finished(int count)
        {
            _core.SetResult(count);
            return new ValueTask<int>(this, _core.Version);
        }

        public ValueTask<int> Pending() => new(this, _core.Version);

        public void Complete(int count) => _core.SetResult(count);

        public int GetResult(short token)
        {
            var result = _core.GetResult(token);
            Taken++;
            _core.Reset(); // handed back: the token is stale from now on
            return result;
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
