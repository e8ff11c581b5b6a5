using System.Net.Http.Headers;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// What one role presents: on <c>/v2/</c> (<see cref="Registry"/>), at the token service (<see cref="Login"/>, and
/// <see cref="RefreshToken"/> for the refresh grant) and on the API and UI (<see cref="Session"/> or <see cref="Api"/>).
/// </summary>
public sealed class MatrixCredentials
{
    /// <summary>The Authorization header on <c>/v2/</c>; null sends none.</summary>
    public AuthenticationHeaderValue? Registry { get; init; }

    /// <summary>The web session cookie's value on the API and UI.</summary>
    public string? Session { get; init; }

    /// <summary>The Authorization header on the API and UI (when no session is used).</summary>
    public AuthenticationHeaderValue? Api { get; init; }

    /// <summary>Username and password (or access token) at a login; null for a caller who has none.</summary>
    public (string User, string Password)? Login { get; init; }

    /// <summary>A refresh token for the refresh grant; asked for anew for each use, since each is good once.</summary>
    public Func<Task<string>> RefreshToken { get; init; } = () => Task.FromResult("");

    public void ApplyTo(HttpRequestMessage request, MatrixSurface surface)
    {
        switch (surface)
        {
            case MatrixSurface.Registry:
                request.Headers.Authorization = Registry;
                break;
            case MatrixSurface.TokenService when request.Method == HttpMethod.Get && Login is { } login:
                request.Headers.Authorization = TestKit.Accounts.Basic(login.User, login.Password);
                break;
            case MatrixSurface.Api:
                request.Headers.Authorization = Api;
                if (Session is not null)
                {
                    request.Headers.Add("Cookie", "wharf_session=" + Session);
                }

                break;
        }
    }
}
