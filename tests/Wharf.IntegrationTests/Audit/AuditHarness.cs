using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Audit;

/// <summary>
/// A server in <c>basic</c> or <c>token</c> mode on a fake clock, with alice (push and delete on team/**), bob, carol and
/// the admin "admin"; <see cref="Registry"/> signs in as alice.
/// </summary>
public sealed class AuditHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private AuditHarness(WharfTestServer server, FakeTimeProvider time)
    {
        Server = server;
        Time = time;
        Registry = new Registry(server);
    }

    public WharfTestServer Server { get; }

    public FakeTimeProvider Time { get; }

    public Registry Registry { get; }

    public static AuthenticationHeaderValue Admin => Accounts.Basic("admin", "admin-password");

    public static AuthenticationHeaderValue Alice => Accounts.Basic("alice", "alice-password");

    public static async Task<AuditHarness> StartAsync(string mode, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = AuthSettings.For(mode);
        settings["Auth:Admins:0"] = "admin";
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var time = new FakeTimeProvider(Start);
        var server = await WharfTestServer.StartAsync(settings, time, handler: new SigningInHandler("alice", "alice-password"));
        await AuthSettings.AddUsersAsync(server);
        await server.AddUserAsync("admin", "admin-password");
        return new AuditHarness(server, time);
    }

    /// <summary>Sends a request with these credentials (none: anonymous) and an optional request id.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? credentials, string? requestId = null, HttpContent? content = null)
    {
        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = credentials;
        if (requestId is not null)
        {
            request.Headers.Add("X-Request-Id", requestId);
        }

        return await client.SendAsync(request);
    }

    /// <summary>GET /api/audit with <paramref name="query"/> as the admin; the events, newest first, and the Link header.</summary>
    public async Task<(List<JsonElement> Events, string? Next)> QueryAsync(string query = "")
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/audit" + query, Admin);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        var events = document.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone()).ToList();
        var next = LinkHeader.Next(response);
        return (events, next);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

internal static class AuditJsonExtensions
{
    public static string? Text(this JsonElement entry, string name) => entry.GetProperty(name).GetString();
}
