using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wharf.Auth;

namespace Wharf.Http.Auth;

public static class AuthRegistration
{
    /// <summary>Registers accounts and access control for <paramref name="options"/>'s mode; token services only in token mode.</summary>
    public static IServiceCollection AddWharfAuth(this IServiceCollection services, AuthOptions options, string dataDirectory)
    {
        services.RemoveAll<AuthOptions>();
        services.AddSingleton(options);
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<AuthChallenges>();
        services.TryAddSingleton<AccessGate>();
        if (options.Mode != AuthMode.None)
        {
            // Token mode signs registry tokens with these keys; every mode signs web UI sessions with them.
            var keyDirectory = AuthKeyDirectory.Resolve(options, dataDirectory);
            services.AddSingleton(_ => SigningKeys.LoadOrCreate(keyDirectory, options.Token.Algorithm));
            services.AddSingleton<TokenIssuer>();
            services.AddSingleton<TokenValidator>();
            services.AddSingleton<TokenEndpoint>();
            services.AddSingleton<Api.SessionCookie>();
        }

        return services;
    }

    /// <summary>Maps the token service at <c>/auth/token</c> in token mode.</summary>
    public static IEndpointRouteBuilder MapWharfTokenService(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<AuthOptions>().Mode == AuthMode.Token)
        {
            var endpoint = endpoints.ServiceProvider.GetRequiredService<TokenEndpoint>();
            endpoints.Map("/auth/token", endpoint.HandleAsync);
        }

        return endpoints;
    }
}
