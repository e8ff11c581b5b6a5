using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Wharf.Bench.Load;

/// <summary>Large-blob workloads: monolithic and chunked push, full pull, range read.</summary>
public static class Blobs
{
    private const int CopyBuffer = 1 << 20;

    /// <summary>sha256 digest of a file, cached beside it in FILE.sha256.</summary>
    public static string FileDigest(string file)
    {
        var cache = file + ".sha256";
        if (File.Exists(cache) && File.GetLastWriteTimeUtc(cache) >= File.GetLastWriteTimeUtc(file))
        {
            return File.ReadAllText(cache).Trim();
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBuffer);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
        File.WriteAllText(cache, digest);
        return digest;
    }

    public static async Task<string> PushMonolithicAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"));
        var file = o.Get("file");
        var repository = o.Get("repo");
        var digest = FileDigest(file);
        var size = new FileInfo(file).Length;
        var sw = Stopwatch.StartNew();
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            var content = new StreamContent(stream, CopyBuffer);
            content.Headers.ContentLength = size;
            await client.PushBlobAsync(repository, digest, content);
        }

        sw.Stop();
        await VerifyAsync(client, repository, digest, size);
        return Result(size, sw.Elapsed, ("digest", digest), ("requests", 2));
    }

    public static async Task<string> PushChunkedAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"));
        var file = o.Get("file");
        var repository = o.Get("repo");
        var chunkSize = o.Int("chunk_mib", 16) << 20;
        var digest = FileDigest(file);
        var size = new FileInfo(file).Length;
        var buffer = GC.AllocateUninitializedArray<byte>(chunkSize);
        var requests = 0;
        var sw = Stopwatch.StartNew();
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            HttpResponseMessage start = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/"), HttpStatusCode.Accepted);
            var location = client.Location(start);
            start.Dispose();
            requests++;
            long offset = 0;
            while (offset < size)
            {
                var length = (int)Math.Min(chunkSize, size - offset);
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length));
                var content = new ReadOnlyMemoryContent(buffer.AsMemory(0, length));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = length;
                var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
                patch.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
                using (var response = await client.SendAsync(patch, HttpStatusCode.Accepted))
                {
                    location = client.Location(response);
                }

                offset += length;
                requests++;
            }

            var put = new HttpRequestMessage(HttpMethod.Put, RegistryClient.WithQuery(location, "digest=" + digest)) { Content = new ByteArrayContent([]) };
            using var done = await client.SendAsync(put, HttpStatusCode.Created);
            requests++;
        }

        sw.Stop();
        await VerifyAsync(client, repository, digest, size);
        return Result(size, sw.Elapsed, ("digest", digest), ("requests", requests), ("chunk_bytes", chunkSize));
    }

    public static async Task<string> PullAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"));
        var (bytes, elapsed) = await ReadAsync(client, $"v2/{o.Get("repo")}/blobs/{o.Get("digest")}", null, HttpStatusCode.OK);
        var expected = o.Long("size", bytes);
        if (bytes != expected)
        {
            throw new BenchException($"pull read {bytes} bytes, expected {expected}");
        }

        return Result(bytes, elapsed);
    }

    public static async Task<string> RangeAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"));
        var size = o.Long("size", 0);
        var length = o.Long("length", size / 4);
        var offset = o.Long("offset", (size - length) / 2);
        var (bytes, elapsed) = await ReadAsync(client, $"v2/{o.Get("repo")}/blobs/{o.Get("digest")}", (offset, offset + length - 1), HttpStatusCode.PartialContent);
        if (bytes != length)
        {
            throw new BenchException($"range read {bytes} bytes, expected {length}");
        }

        return Result(bytes, elapsed, ("offset", offset));
    }

    private static async Task<(long Bytes, TimeSpan Elapsed)> ReadAsync(RegistryClient client, string path, (long From, long To)? range, HttpStatusCode expected)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(CopyBuffer);
        var sw = Stopwatch.StartNew();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (range is { } r)
        {
            request.Headers.Range = new RangeHeaderValue(r.From, r.To);
        }

        using var response = await client.SendAsync(request, expected, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        sw.Stop();
        return (total, sw.Elapsed);
    }

    private static async Task VerifyAsync(RegistryClient client, string repository, string digest, long size)
    {
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), HttpStatusCode.OK);
        if (head.Content.Headers.ContentLength != size)
        {
            throw new BenchException($"HEAD after push: Content-Length {head.Content.Headers.ContentLength}, expected {size}");
        }
    }

    private static string Result(long bytes, TimeSpan elapsed, params (string Key, System.Text.Json.Nodes.JsonNode? Value)[] extra) =>
        Util.Json([
            ("bytes", bytes),
            ("seconds", Util.Round(elapsed.TotalSeconds, 4)),
            ("mbps", Util.Round(bytes / 1e6 / elapsed.TotalSeconds, 1)),
            .. extra,
        ]);
}
