using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;
using Wharf.Core.Services.Gc;

namespace Wharf.Bench.Gc;

/// <summary>
/// Fills a running registry with blobs that no manifest references, as abandoned pushes leave them: each blob's bytes
/// are written through the registry's own storage driver (committed, i.e. fsynced on the filesystem) and recorded with
/// <see cref="IBlobIndex.LinkAsync"/>, which queues the link for review exactly as an upload does. In-process, because
/// 100,000 uploads through HTTP (two requests each) take minutes on a 2-core machine.
/// </summary>
public static class Backlog
{
    public const string Method = "in-process: IStorageDriver writer + IBlobIndex.LinkAsync per blob (what an upload commit does, without HTTP)";

    /// <summary>Writes <paramref name="count"/> distinct blobs of <paramref name="blobSize"/> bytes into <paramref name="repositories"/> repositories.</summary>
    public static async Task<TimeSpan> FillAsync(IServiceProvider services, string tag, int count, int blobSize, int repositories, int workers)
    {
        var storage = services.GetRequiredService<IStorageDriver>();
        var index = services.GetRequiredService<IBlobIndex>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var bytes = new byte[blobSize];
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                Content(tag, i, bytes);
                var digest = Digest.Parse("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
                var path = StorageLayout.Blob(digest);
                await using (var writer = storage is IContentAddressedWrites direct
                    ? await direct.OpenContentWriterAsync(path, CancellationToken.None)
                    : await storage.OpenWriterAsync(path, 0, CancellationToken.None))
                {
                    await writer.WriteAsync(bytes, CancellationToken.None);
                    await writer.CommitAsync(CancellationToken.None);
                }

                await index.LinkAsync($"gcbench/garbage-{i % repositories}", new BlobInfo(digest, bytes.Length), null, CancellationToken.None);
            }
        })));
        return clock.Elapsed;
    }

    /// <summary>Runs collector cycles until one removes nothing (each cycle does at most 1,000 batches of a kind).</summary>
    public static async Task<(TimeSpan Elapsed, long Links, long Blobs, long Bytes, int Cycles)> CollectAllAsync(GarbageCollector collector, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long links = 0, blobs = 0, bytes = 0;
        var cycles = 0;
        while (true)
        {
            var result = await collector.RunCycleAsync(cancellationToken);
            cycles++;
            links += result.LinksDeleted;
            blobs += result.BlobsDeleted;
            bytes += result.BytesReclaimed;
            if (result.LinksDeleted + result.BlobsDeleted == 0)
            {
                return (clock.Elapsed, links, blobs, bytes, cycles);
            }
        }
    }

    /// <summary>Distinct content for blob <paramref name="i"/> of a fill.</summary>
    private static void Content(string tag, int i, byte[] bytes)
    {
        Random.Shared.NextBytes(bytes);
        Encoding.ASCII.GetBytes($"gcbench/{tag}/{i}/").CopyTo(bytes, 0); // unique whatever the random part
    }
}
