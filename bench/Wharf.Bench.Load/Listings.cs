using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Wharf.Bench.Load;

/// <summary>tags/list and _catalog timings. Each follows Link headers to the end and is repeated after one warm-up.</summary>
public static class Listings
{
    public static async Task<string> TagsListAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"), 1);
        var path = $"v2/{o.Get("repo")}/tags/list";
        return await TimeWalksAsync(client, path, "tags", o.Int("repeat", 20), o.Int("expect", -1));
    }

    public static async Task<string> CatalogWalkAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"), 1);
        var path = $"v2/_catalog?n={o.Int("n", 100)}";
        return await TimeWalksAsync(client, path, "repositories", o.Int("repeat", 10), o.Int("expect", -1));
    }

    /// <summary>Only the first page: the first request after start (cold) and the median of the following ones.</summary>
    public static async Task<string> CatalogFirstPageAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"), 1);
        var n = o.Int("n", 100);
        var repeat = o.Int("repeat", 20);
        var times = new List<double>();
        var items = 0;
        for (var i = 0; i <= repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"v2/_catalog?n={n}"), HttpStatusCode.OK);
            items = await CountAsync(response, "repositories");
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        if (items != n)
        {
            throw new BenchException($"first catalog page has {items} repositories, expected {n}");
        }

        return Util.Json(
            ("items", items),
            ("cold_ms", Util.Round(times[0], 3)),
            ("ms", Util.Round(Util.Median(times.Skip(1)), 3)),
            ("min_ms", Util.Round(times.Skip(1).Min(), 3)));
    }

    private static async Task<string> TimeWalksAsync(RegistryClient client, string firstPath, string field, int repeat, int expect)
    {
        var times = new List<double>();
        int items = 0, pages = 0;
        for (var i = 0; i <= repeat; i++)
        {
            items = 0;
            pages = 0;
            var sw = Stopwatch.StartNew();
            string? path = firstPath;
            while (path is not null)
            {
                using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpStatusCode.OK);
                items += await CountAsync(response, field);
                pages++;
                path = Util.NextLink(response);
            }

            if (i > 0)
            {
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        if (expect >= 0 && items != expect)
        {
            throw new BenchException($"walk of {firstPath} found {items} {field}, expected {expect}");
        }

        return Util.Json(
            ("items", items),
            ("pages", pages),
            ("ms", Util.Round(Util.Median(times), 3)),
            ("min_ms", Util.Round(times.Min(), 3)));
    }

    private static async Task<int> CountAsync(HttpResponseMessage response, string field)
    {
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var doc = await JsonDocument.ParseAsync(stream);
        return doc.RootElement.TryGetProperty(field, out var array) && array.ValueKind == JsonValueKind.Array ? array.GetArrayLength() : 0;
    }
}
