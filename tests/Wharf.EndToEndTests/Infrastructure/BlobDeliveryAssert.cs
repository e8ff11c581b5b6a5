using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Services;
using Wharf.Core.Storage;
using Wharf.Storage.S3;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>
/// How a real client's blob downloads were answered, from Wharf's own request log. When Wharf redirects (S3 storage,
/// <c>Blobs:Delivery: Redirect</c>, as in test.sh's redirect run), every blob GET must have been answered 307 and Wharf must
/// have sent no blob bytes itself, so the client's success proves it followed the presigned URLs to the bucket. Otherwise
/// Wharf must have served the bytes.
/// </summary>
internal static class BlobDeliveryAssert
{
    /// <summary>True when the registry under test answers blob GETs with redirects to presigned URLs.</summary>
    public static bool Redirects(ITestRegistry registry) =>
        registry is WharfRegistry wharf
        && wharf.Server.Services.GetRequiredService<BlobOptions>().Delivery == BlobDelivery.Redirect
        && wharf.Server.Services.GetService<S3Driver>() is not null;

    /// <summary>A position in the registry's request log, taken just before a client pulls.</summary>
    public static int Mark(ITestRegistry registry) => (registry as WharfRegistry)?.Requests.Mark() ?? 0;

    /// <summary>
    /// Checks the blob GETs made since <paramref name="mark"/>: each of <paramref name="digests"/> was asked for, and
    /// every answer was a redirect without a body (or, without redirects, carried the bytes). Distribution is not checked.
    /// </summary>
    public static void PulledAsConfigured(ITestRegistry registry, int mark, IEnumerable<string> digests)
    {
        if (registry is not WharfRegistry wharf)
        {
            return;
        }

        var gets = wharf.Requests.Since(mark).Where(r => r.Method == "GET" && r.Path.Contains("/blobs/", StringComparison.Ordinal)).ToList();
        var log = string.Join('\n', gets.Select(r => $"{r.Method} {r.Path} {r.Status} {r.Bytes}B"));
        foreach (var digest in digests)
        {
            Assert.True(gets.Any(r => r.Path.EndsWith("/blobs/" + digest, StringComparison.Ordinal)), $"the client never asked Wharf for {digest}; blob GETs:\n{log}");
        }

        if (Redirects(registry))
        {
            Assert.All(gets, r => Assert.True(r.Bytes == 0 && (r.Status == 307 || r.Status == 200), $"Wharf answered {r.Path} itself: {r.Status}, {r.Bytes} bytes"));
            foreach (var digest in digests)
            {
                Assert.Contains(gets, r => r.Path.EndsWith("/blobs/" + digest, StringComparison.Ordinal) && r.Status == 307);
            }
        }
        else
        {
            Assert.All(
                gets.Where(r => digests.Any(d => r.Path.EndsWith("/blobs/" + d, StringComparison.Ordinal))),
                r => Assert.True(r.Status is 200 or 206 && r.Bytes > 0, $"{r.Path}: {r.Status}, {r.Bytes} bytes"));
        }
    }
}
