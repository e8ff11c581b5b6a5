using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.Hosting;
using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.Metadata.Sqlite;

namespace Wharf.Commands;

/// <summary>
/// The metadata store holding accounts, opened (and migrated) by the <c>user</c> and <c>token</c> commands
/// with the same <c>--data</c>/<c>--config</c> as <c>serve</c>: the data directory's SQLite file, or the shared
/// PostgreSQL database when <c>Metadata:Driver</c> is PostgreSql. Safe while servers run: SQLite serialises the
/// writers of both processes, PostgreSQL those of every instance.
/// </summary>
public sealed class AccountStore : IDisposable
{
    private readonly IDisposable _database;

    private readonly Wharf.Core.Audit.IAuditStore _audit;

    private AccountStore(SqlDatabase database, IUserStore users, IAccessTokenStore tokens, ISigningKeyStore signingKeys, AuthOptions options)
    {
        _database = (IDisposable)database;
        _audit = new SqlAuditStore(database);
        Options = options;
        Users = users;
        Tokens = tokens;
        SigningKeys = EncryptedSigningKeyStore.Wrap(signingKeys, options.Token);
        Hasher = new PasswordHasher(options, TimeProvider.System);
    }

    public AuthOptions Options { get; }

    public IUserStore Users { get; }

    public IAccessTokenStore Tokens { get; }

    /// <summary>The token signing keys every instance on this database shares.</summary>
    public ISigningKeyStore SigningKeys { get; }

    public PasswordHasher Hasher { get; }

    public static async Task<AccountStore> OpenAsync(string? configFile, string? data, CancellationToken cancellationToken)
    {
        var configuration = WharfConfiguration.Build(configFile, new Dictionary<string, string?> { ["Data"] = data });
        var options = configuration.Get<WharfOptions>() ?? new WharfOptions();
        var auth = AuthConfiguration.Read(configuration);
        var metadata = configuration.GetSection("Metadata").Get<MetadataOptions>() ?? new MetadataOptions();
        if (metadata.Driver == MetadataDriverKind.PostgreSql)
        {
            var postgres = metadata.PostgreSql
                ?? throw new Microsoft.Extensions.Options.OptionsValidationException("Metadata:PostgreSql", typeof(PostgreSqlOptions), ["Metadata:PostgreSql is required by the chosen driver"]);
            var shared = new PostgreSqlDatabase(postgres.ConnectionString, postgres.Schema);
            await shared.MigrateAsync(cancellationToken);
            return new AccountStore(shared, new SqlUserStore(shared), new SqlAccessTokenStore(shared), new SqlSigningKeyStore(shared), auth);
        }

        var database = new SqliteDatabase(BackendRegistration.SqliteFile(Path.GetFullPath(options.Data)));
        await database.MigrateAsync(cancellationToken);
        return new AccountStore(database, new SqlUserStore(database), new SqlAccessTokenStore(database), new SqlSigningKeyStore(database), auth);
    }

    /// <summary>
    /// Records in the audit log a change made at the command line, as the operating-system account that ran it. A
    /// failed write is a warning on standard error: the change has been made.
    /// </summary>
    public async Task AuditAsync(string action, string target, string? detail = null)
    {
        var entry = new Wharf.Core.Audit.AuditEvent(0, TimeProvider.System.GetUtcNow(), Environment.UserName, Wharf.Core.Audit.AuditActorKinds.Cli, null, action, Target: target, Detail: detail);
        try
        {
            await _audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (System.Data.Common.DbException e)
        {
            await Console.Error.WriteLineAsync($"warning: the audit event ({action}) could not be written: {e.Message}");
        }
    }

    public void Dispose() => _database.Dispose();
}
