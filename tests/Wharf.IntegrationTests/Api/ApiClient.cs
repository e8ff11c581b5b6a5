using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary>Calls the JSON API of a test server as one caller (anonymous, or with the given Authorization or session cookie).</summary>
public sealed class ApiClient(WharfTestServer server, AuthenticationHeaderValue? authorization = null, string? session = null) : IDisposable
{
    private readonly HttpClient _http = CookielessHttpClient(server);

    /// <summary>A plain HTTP client for <paramref name="server"/> that keeps no cookies (tests send the session cookie by hand); the caller disposes it.</summary>
    public static HttpClient CookielessHttpClient(WharfTestServer server, AuthenticationHeaderValue? authorization = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = authorization;
        return client;
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string path) => await SendAsync(HttpMethod.Get, path, null);

    public async Task<(int Status, JsonElement Body)> PutAsync(string path, string json) => await SendAsync(HttpMethod.Put, path, json);

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = authorization;
        if (session is not null)
        {
            request.Headers.Add("Cookie", "wharf_session=" + session);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        using var document = await Json.ReadAsync(response);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>Names listed by <c>/api/repositories</c> with the given query string.</summary>
    public async Task<List<string>> RepositoriesAsync(string query = "")
    {
        var (status, body) = await GetAsync("/api/repositories" + query);
        Xunit.Assert.Equal(200, status);
        return [.. body.GetProperty("repositories").EnumerateArray().Select(r => r.GetProperty("name").GetString()!)];
    }

    /// <summary>Names found by <c>/v1/search</c>.</summary>
    public async Task<List<string>> SearchAsync(string text)
    {
        var (status, body) = await GetAsync("/v1/search?q=" + Uri.EscapeDataString(text));
        Xunit.Assert.Equal(200, status);
        return [.. body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("name").GetString()!)];
    }

    public static string ErrorCode(JsonElement body) => body.GetProperty("errors")[0].GetProperty("code").GetString()!;

    public void Dispose() => _http.Dispose();
}
