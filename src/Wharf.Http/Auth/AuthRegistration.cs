using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Wharf.Core.Metadata;
using Wharf.Auth;

namespace Wharf.Http.Auth;

public static class AuthRegistration
{
    /// <summary>Registers accounts and access control for <paramref name="options"/>'s mode: signing keys, tokens and web sessions unless the mode is none (the token service is mapped only in token mode).</summary>
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
            // Signing keys exist in every mode with accounts: token mode signs registry tokens with them, every
            // mode signs web UI sessions. By default they live in the metadata store, so that every instance on
            // one database shares them.
            var keyDirectory = AuthKeyDirectory.Explicit(options);
            services.AddSingleton<ISigningKeySource>(sp => keyDirectory is not null
                ? new DirectorySigningKeySource(keyDirectory)
                : new StoredSigningKeySource(
                    EncryptedSigningKeyStore.Wrap(sp.GetRequiredService<ISigningKeyStore>(), options.Token),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<StoredSigningKeySource>>(),
                    AuthKeyDirectory.Legacy(dataDirectory)));
            services.AddSingleton(sp => new SigningKeys(sp.GetRequiredService<ISigningKeySource>(), options.Token.Algorithm, sp.GetRequiredService<TimeProvider>()));
            services.AddHostedService<SigningKeyRefresher>();
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
