using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>
/// Signs requests in the way registry clients (and the OCI conformance suite with OCI_USERNAME/OCI_PASSWORD)
/// do: Basic credentials up front after a Basic challenge; for a Bearer challenge, a token from its realm for
/// its scope (with Basic credentials), then the request once more.
/// </summary>
public sealed partial class SigningInHandler(string username, string password) : DelegatingHandler(new HttpClientHandler())
{
    private readonly AuthenticationHeaderValue _basic = TestKit.Accounts.Basic(username, password);
    private bool _basicMode;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_basicMode)
        {
            request.Headers.Authorization = _basic;
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Headers.Authorization is not null)
        {
            return response;
        }

        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        if (challenge is { Scheme: "Basic" })
        {
            _basicMode = true;
            request.Headers.Authorization = _basic;
        }
        else if (challenge is { Scheme: "Bearer", Parameter: { } parameter })
        {
            var fields = Field().Matches(parameter).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var url = $"{fields["realm"]}?service={Uri.EscapeDataString(fields["service"])}"
                + (fields.TryGetValue("scope", out var scope) ? "&scope=" + Uri.EscapeDataString(scope) : "");
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, url);
            tokenRequest.Headers.Authorization = _basic;
            using var tokenResponse = await base.SendAsync(tokenRequest, cancellationToken);
            tokenResponse.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync(cancellationToken));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("token").GetString());
        }
        else
        {
            return response;
        }

        response.Dispose();
        return await base.SendAsync(request, cancellationToken);
    }

    [GeneratedRegex("([a-z]+)=\"([^\"]*)\"")]
    private static partial Regex Field();
}
