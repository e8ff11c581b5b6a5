using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.Hosting;
using Wharf.Metadata.Sqlite;

namespace Wharf.Commands;

/// <summary>
/// The metadata store of a data directory, opened (and migrated) by the <c>user</c> and <c>token</c> commands
/// with the same <c>--data</c>/<c>--config</c> as <c>serve</c>. Safe while the server runs: SQLite serialises
/// the writers of both processes.
/// </summary>
public sealed class AccountStore : IDisposable
{
    private readonly SqliteDatabase _database;

    private AccountStore(SqliteDatabase database, AuthOptions options)
    {
        _database = database;
        Options = options;
        Users = new SqliteUserStore(database);
        Tokens = new SqliteAccessTokenStore(database);
        Hasher = new PasswordHasher(options, TimeProvider.System);
    }

    public AuthOptions Options { get; }

    public IUserStore Users { get; }

    public IAccessTokenStore Tokens { get; }

    public PasswordHasher Hasher { get; }

    public static async Task<AccountStore> OpenAsync(string? configFile, string? data, CancellationToken cancellationToken)
    {
        var configuration = WharfConfiguration.Build(configFile, new Dictionary<string, string?> { ["Data"] = data });
        var options = configuration.Get<WharfOptions>() ?? new WharfOptions();
        var database = new SqliteDatabase(Path.Combine(Path.GetFullPath(options.Data), "wharf.db"));
        await database.MigrateAsync(cancellationToken);
        return new AccountStore(database, AuthConfiguration.Read(configuration));
    }

    public void Dispose() => _database.Dispose();
}
