using Wharf.Auth;
using Wharf.Core.Audit;
using Wharf.Core.Metadata;

namespace Wharf.Commands;

/// <summary>
/// The accounts of the configured registry, for the <c>user</c> and <c>token</c> commands: the stores <c>serve</c> uses
/// with the same <c>--data</c>/<c>--config</c> (the data directory's SQLite file, or the shared PostgreSQL database when
/// <c>Metadata:Driver</c> is PostgreSql), taken from the one composition root (<see cref="RegistryServices"/>), which
/// migrates the schema first. Safe while servers run: SQLite serialises the writers of both processes, PostgreSQL those
/// of every instance.
/// </summary>
public sealed class AccountStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private readonly IAuditStore _audit;

    private AccountStore(ServiceProvider services)
    {
        _services = services;
        _audit = services.GetRequiredService<IAuditStore>();
        Options = services.GetRequiredService<AuthOptions>();
        Users = services.GetRequiredService<IUserStore>();
        Tokens = services.GetRequiredService<IAccessTokenStore>();
        // Encrypted at rest when Auth:Token:KeyEncryptionKey is set, as the server's signing key source reads them.
        SigningKeys = EncryptedSigningKeyStore.Wrap(services.GetRequiredService<ISigningKeyStore>(), Options.Token);
        Hasher = services.GetRequiredService<PasswordHasher>();
    }

    public AuthOptions Options { get; }

    public IUserStore Users { get; }

    public IAccessTokenStore Tokens { get; }

    /// <summary>The token signing keys every instance on this database shares.</summary>
    public ISigningKeyStore SigningKeys { get; }

    public PasswordHasher Hasher { get; }

    public static async Task<AccountStore> OpenAsync(string? configFile, string? data, CancellationToken cancellationToken) =>
        new(await RegistryServices.OpenAsync(configFile, data, cancellationToken));

    /// <summary>
    /// Records in the audit log a change made at the command line, as the operating-system account that ran it. A
    /// failed write is a warning on standard error: the change has been made.
    /// </summary>
    public async Task AuditAsync(string action, string target, string? detail = null)
    {
        var entry = new AuditEvent(0, TimeProvider.System.GetUtcNow(), Environment.UserName, AuditActorKinds.Cli, null, action, Target: target, Detail: detail);
        try
        {
            await _audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (System.Data.Common.DbException e)
        {
            await Console.Error.WriteLineAsync($"warning: the audit event ({action}) could not be written: {e.Message}");
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
