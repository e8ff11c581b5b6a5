using System.Security.Cryptography;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Core.Mirror;

/// <summary>One upstream fetch followed by several readers: bytes flow before the end, and nothing wrong is ever delivered whole.</summary>
public sealed class BlobFetchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wharf-fetch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Readers_follow_the_writer_and_get_the_last_byte_only_after_the_digest_verified()
    {
        var content = RandomNumberGenerator.GetBytes(300 * 1024);
        var upstream = new GatedStream(content);
        var committed = new TaskCompletionSource<byte[]>();
        var fetch = new BlobFetch(Digest.Compute(content), Path.Combine(_directory, "blob"));
        var run = fetch.RunAsync(_ => ValueTask.FromResult(new UpstreamBlob(upstream, content.Length)), async (path, _, ct) => committed.SetResult(await File.ReadAllBytesAsync(path, ct)), _ => { }, CancellationToken.None);

        upstream.Allow(100 * 1024);
        Assert.Equal(content.Length, await fetch.Started);
        await using var reader = fetch.TryOpenReader()!;
        var first = new byte[200 * 1024];
        var read = await ReadAtLeastAsync(reader, first, 100 * 1024);
        Assert.True(content.AsSpan(0, read).SequenceEqual(first.AsSpan(0, read)));

        upstream.Allow(content.Length);
        var rest = new MemoryStream();
        await reader.CopyToAsync(rest);
        Assert.True(await run);
        Assert.Equal(content, first.AsSpan(0, read).ToArray().Concat(rest.ToArray()).ToArray());
        Assert.Equal(content, await committed.Task);
        Assert.Null(fetch.TryOpenReader());
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task No_reader_gets_the_last_byte_before_the_digest_check_and_a_mismatch_then_fails_the_reader()
    {
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var upstream = new GatedStream(content, holdEnd: true);
        var commits = 0;
        var fetch = new BlobFetch(Digest.Compute(RandomNumberGenerator.GetBytes(8)), Path.Combine(_directory, "blob"));
        var run = fetch.RunAsync(_ => ValueTask.FromResult(new UpstreamBlob(upstream, content.Length)), (_, _, _) => { commits++; return Task.CompletedTask; }, _ => { }, CancellationToken.None);
        upstream.Allow(content.Length);
        await fetch.Started;
        await using var reader = fetch.TryOpenReader()!;

        // The writer holds every byte and waits for the end of the body, so the digest is not checked yet.
        await upstream.EndRequested;
        var buffer = new byte[content.Length];
        var read = await ReadAtLeastAsync(reader, buffer, content.Length - 1);
        Assert.Equal(content.Length - 1, read);
        var last = reader.ReadAsync(buffer.AsMemory(read)).AsTask();
        Assert.False(last.IsCompleted, "a reader got the last byte before the digest was checked");

        upstream.End();
        await Assert.ThrowsAsync<IOException>(() => last);
        Assert.False(await run);
        Assert.Equal(0, commits);
    }

    [Fact]
    public async Task Readers_finish_while_the_store_is_still_committing_and_a_failed_commit_does_not_cut_them()
    {
        var content = RandomNumberGenerator.GetBytes(128 * 1024);
        var upstream = new GatedStream(content);
        var commitStarted = new TaskCompletionSource();
        var commitMayEnd = new TaskCompletionSource();
        var fetch = new BlobFetch(Digest.Compute(content), Path.Combine(_directory, "blob"));
        var run = fetch.RunAsync(_ => ValueTask.FromResult(new UpstreamBlob(upstream, content.Length)), async (_, _, _) =>
        {
            commitStarted.SetResult();
            await commitMayEnd.Task;
            throw new IOException("the disk is full");
        }, _ => { }, CancellationToken.None);
        upstream.Allow(1);
        await fetch.Started;
        await using var early = fetch.TryOpenReader()!;

        upstream.Allow(content.Length);
        await commitStarted.Task;
        await using var late = fetch.TryOpenReader()!; // joins while the store commits
        var first = new MemoryStream();
        await early.CopyToAsync(first).WaitAsync(TimeSpan.FromMinutes(1)); // the commit is still running: fails rather than hangs
        commitMayEnd.SetResult();
        Assert.False(await run);
        var second = new MemoryStream();
        await late.CopyToAsync(second);

        Assert.Equal(content, first.ToArray());
        Assert.Equal(content, second.ToArray());
        Assert.Null(fetch.TryOpenReader());
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_digest_mismatch_commits_nothing_and_fails_every_reader_before_its_last_byte()
    {
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var upstream = new GatedStream(content);
        var commits = 0;
        var fetch = new BlobFetch(Digest.Compute(RandomNumberGenerator.GetBytes(8)), Path.Combine(_directory, "blob"));
        var run = fetch.RunAsync(_ => ValueTask.FromResult(new UpstreamBlob(upstream, content.Length)), (_, _, _) => { commits++; return Task.CompletedTask; }, _ => { }, CancellationToken.None);
        upstream.Allow(1);
        await fetch.Started;
        var readers = new[] { fetch.TryOpenReader()!, fetch.TryOpenReader()! };

        upstream.Allow(content.Length);
        Assert.False(await run);
        foreach (var reader in readers)
        {
            var copied = new MemoryStream();
            var error = await Assert.ThrowsAsync<IOException>(() => reader.CopyToAsync(copied));
            Assert.Contains("upstream", error.Message, StringComparison.Ordinal);
            Assert.True(copied.Length < content.Length);
            await reader.DisposeAsync();
        }

        Assert.Equal(0, commits);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task The_last_reader_leaving_with_more_than_the_limit_to_come_cancels_the_fetch_and_no_one_joins_it_after()
    {
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var upstream = new GatedStream(content);
        var commits = 0;
        var fetch = new BlobFetch(Digest.Compute(content), Path.Combine(_directory, "blob"), abandonedLimit: 16 * 1024);
        var run = fetch.RunAsync(_ => ValueTask.FromResult(new UpstreamBlob(upstream, content.Length)), (_, _, _) => { commits++; return Task.CompletedTask; }, _ => { }, CancellationToken.None);
        upstream.Allow(1024);
        await fetch.Started;
        var first = fetch.TryOpenReader()!;
        var second = fetch.TryOpenReader()!;
        await ReadAtLeastAsync(first, new byte[1024], 1);
        await ReadAtLeastAsync(second, new byte[1024], 1);

        await first.DisposeAsync();
        Assert.False(fetch.Abandoned); // one reader is still there
        await second.DisposeAsync();

        Assert.True(fetch.Abandoned);
        Assert.Null(fetch.TryOpenReader());
        Assert.False(await run.WaitAsync(TimeSpan.FromMinutes(1))); // cancelled while the upstream holds the rest back
        Assert.Equal(0, commits);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task With_at_most_the_limit_to_come_or_a_reader_that_read_nothing_like_a_HEAD_the_fetch_runs_on_and_is_stored()
    {
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var upstream = new GatedStream(content);
        var committed = new TaskCompletionSource<byte[]>();
        var fetch = new BlobFetch(Digest.Compute(content), Path.Combine(_directory, "blob"), abandonedLimit: 48 * 1024);
        var run = fetch.RunAsync(_ => ValueTask.FromResult(new UpstreamBlob(upstream, content.Length)), async (path, _, ct) => committed.SetResult(await File.ReadAllBytesAsync(path, ct)), _ => { }, CancellationToken.None);
        upstream.Allow(1024);
        await fetch.Started;

        await fetch.TryOpenReader()!.DisposeAsync(); // a HEAD: 63 KiB to come, but nothing read
        Assert.False(fetch.Abandoned);

        upstream.Allow(32 * 1024);
        await using (var reader = fetch.TryOpenReader()!)
        {
            await ReadAtLeastAsync(reader, new byte[64 * 1024], 32 * 1024); // then 32 KiB to come, under the limit
        }

        Assert.False(fetch.Abandoned);
        upstream.Allow(content.Length);
        Assert.True(await run);
        Assert.Equal(content, await committed.Task);
    }

    [Fact]
    public async Task A_body_shorter_than_announced_fails_the_fetch()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var upstream = new GatedStream(content);
        upstream.Allow(content.Length);
        var fetch = new BlobFetch(Digest.Compute(content), Path.Combine(_directory, "blob"));

        Assert.False(await fetch.RunAsync(_ => ValueTask.FromResult(new UpstreamBlob(upstream, content.Length + 1)), (_, _, _) => Task.CompletedTask, _ => { }, CancellationToken.None));
    }

    [Fact]
    public async Task An_upstream_refusal_faults_Started_with_its_failure()
    {
        var fetch = new BlobFetch(Digest.Compute([1]), Path.Combine(_directory, "blob"));

        Assert.False(await fetch.RunAsync(_ => throw new UpstreamException(UpstreamFailure.NotFound, "gone"), (_, _, _) => Task.CompletedTask, _ => { }, CancellationToken.None));
        var error = await Assert.ThrowsAsync<UpstreamException>(() => fetch.Started);
        Assert.Equal(UpstreamFailure.NotFound, error.Failure);
    }

    private static async Task<int> ReadAtLeastAsync(Stream stream, byte[] buffer, int minimum)
    {
        var total = 0;
        while (total < minimum)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total));
            Assert.True(read > 0);
            total += read;
        }

        return total;
    }

    /// <summary>
    /// An upstream body that sends only as many bytes as the test allowed so far; with <c>holdEnd</c> it also holds back
    /// the end of the body (the read that returns 0) until <see cref="End"/>.
    /// </summary>
    private sealed class GatedStream(byte[] content, bool holdEnd = false) : Stream
    {
        private readonly SemaphoreSlim _more = new(0);
        private readonly TaskCompletionSource _endRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _allowed;
        private long _position;

        /// <summary>Completes when the reader has had every byte and asks for more.</summary>
        public Task EndRequested => _endRequested.Task;

        public void Allow(long total)
        {
            Interlocked.Exchange(ref _allowed, total);
            _more.Release();
        }

        public void End() => _end.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (_position >= content.Length)
                {
                    _endRequested.TrySetResult();
                    if (holdEnd)
                    {
                        await _end.Task.WaitAsync(cancellationToken);
                    }

                    return 0;
                }

                var allowed = Math.Min(Interlocked.Read(ref _allowed), content.Length);
                if (allowed > _position)
                {
                    var count = (int)Math.Min(buffer.Length, allowed - _position);
                    content.AsMemory((int)_position, count).CopyTo(buffer);
                    _position += count;
                    return count;
                }

                await _more.WaitAsync(cancellationToken);
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => content.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _more.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
