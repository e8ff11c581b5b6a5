using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Wharf.FuzzTests.Harness;
using Wharf.TestKit;

namespace Wharf.FuzzTests;

/// <summary>
/// The token service's form handling, through the real endpoint on a real server: any POST body under any form content
/// type, and any GET query and Basic header, is answered with a 2xx or 4xx (thousands of fields, huge values, long
/// keys and broken multipart are 400), never a 5xx or a dropped connection, within the time bound.
/// </summary>
public sealed class TokenEndpointFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string UrlEncoded = "application/x-www-form-urlencoded";
    private const string Multipart = "multipart/form-data; boundary=b";

    /// <summary>The whole server works for a request: Kestrel, the form reader, sign-in, token issue.</summary>
    private static readonly Bounded.Allowance Allowance = new(16 * 1024 * 1024, 64);

    private static readonly Gen<string> ContentTypes = Gen.Frequency(
        (6, Gen.Const(UrlEncoded)),
        (2, Gen.Const(Multipart)),
        (1, Gen.OneOf(UrlEncoded + "; charset=utf-16", UrlEncoded + "; charset=nonsense", "multipart/form-data", "multipart/form-data; boundary=",
            "multipart/form-data; boundary=\"" + new string('b', 200) + "\"", "multipart/mixed; boundary=b", "text/plain", "application/json", ";", "")));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WharfTestServer? _server;

    public async Task InitializeAsync()
    {
        _server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Auth:Mode"] = "token",
            ["Auth:BcryptCost"] = "4",
            ["Auth:Policies:0:Repositories"] = "team/**",
            ["Auth:Policies:0:Users:0"] = "alice",
            ["Auth:Policies:0:Actions:0"] = "pull",
        }, _time);
        await _server.AddUserAsync("alice", "alice-password");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Any_token_form_is_answered_without_a_server_error()
    {
        var run = new FuzzRun(output, "token-form");
        var forms = Gen.Frequency(
            (6, Gen.Select(Mutations.SeededOrRandom(run.Seeds, FormTokens, 128 * 1024), ContentTypes)),
            (1, Gen.Select(Gen.Int[900, 3000], Gen.Int[1, 64], (fields, length) => Encoding.ASCII.GetBytes(string.Join('&',
                Enumerable.Range(0, fields).Select(i => $"f{i}={new string('v', length)}")))).Select(body => (body, UrlEncoded))),
            (1, Gen.Int[16 * 1024, 256 * 1024].Select(n => (Encoding.ASCII.GetBytes("grant_type=refresh_token&refresh_token=" + new string('e', n)), UrlEncoded))));
        await run.CheckAsync(forms, file => (file.Bytes, file.Name.EndsWith(".multipart", StringComparison.Ordinal) ? Multipart : UrlEncoded),
            async form => await PostAsync(form.Item1, form.Item2), FuzzSettings.IterationsFor(8), form => $"{form.Item2}: {Bounded.Show(form.Item1)}");
    }

    [Fact]
    public async Task Any_token_query_and_basic_header_are_answered_without_a_server_error()
    {
        var run = new FuzzRun(output, "token-query");
        var requests = Gen.Select(
            Mutations.SeededOrRandom(run.Seeds, FormTokens, 8 * 1024).Select(b => Uri.EscapeDataString(Encoding.Latin1.GetString(b)).Replace("%26", "&", StringComparison.Ordinal).Replace("%3D", "=", StringComparison.Ordinal)),
            Gen.OneOf<string?>(null, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-password")), "Basic YWxpY2U=", "Basic ===", "Basic " + new string('A', 9000)));
        await run.CheckAsync(requests, file => (Encoding.UTF8.GetString(file.Bytes), (string?)null), async request =>
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, "/auth/token?" + request.Item1);
            if (request.Item2 is { } basic)
            {
                message.Headers.TryAddWithoutValidation("Authorization", basic);
            }

            await SendAsync(message, $"GET ?{Bounded.Show(request.Item1)} with {request.Item2 ?? "no Authorization"}", request.Item1.Length);
        }, FuzzSettings.IterationsFor(8), request => $"?{Bounded.Show(request.Item1)} {request.Item2}");
    }

    private static readonly IReadOnlyList<byte[]> FormTokens = Tokens.Of(
        "&", "=", "%", "%00", "%FF", "%E9", "+", "grant_type=", "password", "refresh_token", "username=alice", "password=alice-password", "scope=",
        "repository:team/app:pull", "registry:catalog:*", "access_type=offline", "client_id=docker", "service=wharf", "\r\n--b\r\n", "--b--",
        "Content-Disposition: form-data; name=\"", "filename=\"f\"", "\r\n\r\n");

    private async Task PostAsync(byte[] body, string contentType)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/auth/token") { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        await SendAsync(message, $"POST {contentType}: {Bounded.Show(body)}", body.Length);
    }

    private async Task SendAsync(HttpRequestMessage message, string shown, long length)
    {
        _time.Advance(TimeSpan.FromMinutes(10)); // the login throttle forgets the failures of the request before
        var status = await Bounded.RunAsync("token-form", shown, length, Allowance, async () =>
        {
            using var response = await _server!.Client.SendAsync(message);
            return (int)response.StatusCode;
        });
        if (status >= 500)
        {
            throw new FuzzFailure($"token-form: {shown} was answered {status}");
        }
    }
}
