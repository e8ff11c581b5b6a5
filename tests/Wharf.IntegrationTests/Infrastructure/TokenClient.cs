using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Talks to Wharf's token service at /auth/token the way registry clients do.</summary>
public sealed class TokenClient(WharfTestServer server)
{
    /// <summary>GET /auth/token; returns the status and the parsed JSON (null when not 200).</summary>
    public async Task<(HttpStatusCode Status, JsonElement? Body, HttpResponseMessage Response)> GetAsync(AuthenticationHeaderValue? credentials, params string[] query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/token?service=wharf" + string.Concat(query.Select(q => "&" + q)));
        request.Headers.Authorization = credentials;
        return await SendAsync(request);
    }

    public async Task<(HttpStatusCode Status, JsonElement? Body, HttpResponseMessage Response)> PostAsync(params (string Name, string Value)[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        return await SendAsync(request);
    }

    /// <summary>A token for <paramref name="scopes"/> (asserts 200).</summary>
    public async Task<string> TokenAsync(AuthenticationHeaderValue? credentials, params string[] scopes)
    {
        var (status, body, response) = await GetAsync(credentials, [.. scopes.Select(s => "scope=" + Uri.EscapeDataString(s))]);
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        return body!.Value.GetProperty("token").GetString()!;
    }

    /// <summary>The <c>access</c> claim of a JWT, as <c>type:name:actions</c> strings.</summary>
    public static List<string> Access(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
        return [.. json.RootElement.GetProperty("access").EnumerateArray().Select(a =>
            $"{a.GetProperty("type").GetString()}:{a.GetProperty("name").GetString()}:{string.Join(',', a.GetProperty("actions").EnumerateArray().Select(x => x.GetString()))}")];
    }

    private async Task<(HttpStatusCode, JsonElement?, HttpResponseMessage)> SendAsync(HttpRequestMessage request)
    {
        var response = await server.Client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null, response);
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone(), response);
    }
}
