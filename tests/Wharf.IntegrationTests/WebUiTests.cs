using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// How Wharf serves its web UI: one index.html for the UI's routes, versioned assets with cache and compression
/// headers, a strict Content-Security-Policy, and the registry's JSON 404 everywhere else.
/// </summary>
public sealed partial class WebUiTests : IAsyncLifetime
{
    private WharfTestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await WharfTestServer.StartAsync();
        _client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = _server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/?q=app&page=2")]
    [InlineData("/sign-in")]
    [InlineData("/r/team/app")]
    [InlineData("/r/team/app/-/i/v1")]
    [InlineData("/r/team/app/-/files/sha256:0123")]
    public async Task Every_ui_route_answers_the_same_page_with_a_strict_policy(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = Expect.Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("require-trusted-types-for 'script'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Expect.Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Matches(AppScript(), html);
        Assert.DoesNotContain("{{assets}}", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal); // no inline script
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_answers_the_headers_of_get_without_a_body()
    {
        using var get = await _client.GetAsync("/");
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_page_is_revalidated_with_its_etag()
    {
        using var first = await _client.GetAsync("/");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/r/any/thing");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var again = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("js/app.js", "text/javascript")]
    [InlineData("js/pages/repository.js", "text/javascript")]
    [InlineData("css/app.css", "text/css")]
    [InlineData("favicon.svg", "image/svg+xml")]
    public async Task Assets_are_versioned_immutable_and_typed(string file, string mediaType)
    {
        var prefix = await AssetPrefixAsync();

        using var response = await _client.GetAsync($"{prefix}/{file}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", Expect.Header(response, "X-Content-Type-Options"));
        Assert.Null(response.Content.Headers.ContentEncoding.FirstOrDefault());
        Assert.True(response.Content.Headers.ContentLength > 0);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Assets_are_compressed_for_clients_that_accept_it(string encoding)
    {
        var url = await AssetPrefixAsync() + "/js/markdown.js";
        var plain = await _client.GetByteArrayAsync(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptEncoding.ParseAdd(encoding);

        using var response = await _client.SendAsync(request);

        Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var compressed = await response.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length < plain.Length / 2, $"{encoding}: {compressed.Length} of {plain.Length} bytes");
        await using Stream decoder = encoding == "br"
            ? new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        await decoder.CopyToAsync(decoded);
        Assert.Equal(plain, decoded.ToArray());

        // Another representation, another entity tag.
        using var identity = await _client.GetAsync(url);
        Assert.NotEqual(identity.Headers.ETag, response.Headers.ETag);
    }

    [Fact]
    public async Task An_old_asset_version_still_loads_but_is_not_cached()
    {
        using var response = await _client.GetAsync("/ui/000000000000/js/app.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("/ui/000000000000/js/nothing.js")]
    [InlineData("/ui/000000000000/index.html")]
    public async Task An_unknown_asset_is_not_found(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/elsewhere")]
    [InlineData("GET", "/api/no-such-endpoint")]
    [InlineData("GET", "/v1/no-such-endpoint")]
    [InlineData("POST", "/r/team/app")]
    [InlineData("DELETE", "/sign-in")]
    public async Task Paths_that_are_no_page_keep_the_registry_json_404(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        await Expect.ErrorBodyAsync(response, "UNSUPPORTED");
    }

    [Fact]
    public async Task The_registry_api_is_untouched()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", Expect.Header(response, "Docker-Distribution-API-Version"));
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task With_auth_on_the_page_loads_for_anyone_and_the_data_stays_behind_the_api()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("basic"));
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var page = await client.GetAsync("/r/team/app");
        using var registry = await client.GetAsync("/v2/team/app/tags/list");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(page.Headers.WwwAuthenticate);
        Assert.Equal(HttpStatusCode.Unauthorized, registry.StatusCode);
    }

    private async Task<string> AssetPrefixAsync()
    {
        var html = await _client.GetStringAsync("/");
        return AppScript().Match(html).Groups["prefix"].Value;
    }

    [GeneratedRegex("<script type=\"module\" src=\"(?<prefix>/ui/[0-9a-f]{12})/js/app.js\"></script>")]
    private static partial Regex AppScript();
}
