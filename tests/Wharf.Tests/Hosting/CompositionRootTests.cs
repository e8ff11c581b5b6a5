using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Commands;
using Wharf.Core.Audit;
using Wharf.Core.Metadata;
using Wharf.Core.Storage;
using Wharf.Hosting;
using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Hosting;

/// <summary>
/// One composition root (<see cref="WharfServices"/>): with the same configuration, the commands' services (the
/// <c>user</c>/<c>token</c> account store, <c>gc</c>, <c>migrate</c>…) are the server's implementations over the same engine.
/// </summary>
public sealed class CompositionRootTests : IDisposable
{
    private static readonly Type[] KeyAbstractions =
    [
        typeof(SqlDatabase), typeof(IUserStore), typeof(IAccessTokenStore), typeof(ISigningKeyStore), typeof(IAuditStore),
        typeof(IStorageDriver), typeof(IBlobIndex), typeof(IManifestReader), typeof(IUploadSessionStore), typeof(IMetadataInventory), typeof(Wharf.Auth.PasswordHasher),
    ];

    private readonly TempDirectory _work = new("wharf-root");

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task The_commands_and_the_server_resolve_the_same_implementations_over_the_configured_engine(string engine)
    {
        var config = WriteConfig(engine);
        var data = _work.Combine("data");
        await using var server = WharfHost.Build(WharfConfiguration.Build(config, new Dictionary<string, string?> { ["Data"] = data }));
        try
        {
            await using (var cli = await RegistryServices.OpenAsync(config, data, CancellationToken.None))
            {
                foreach (var type in KeyAbstractions)
                {
                    Assert.Equal(server.Services.GetRequiredService(type).GetType(), cli.GetRequiredService(type).GetType());
                }

                Assert.IsType(engine == "Sqlite" ? typeof(SqliteDatabase) : typeof(PostgreSqlDatabase), cli.GetRequiredService<SqlDatabase>());
            }

            await using var accounts = await AccountStore.OpenAsync(config, data, CancellationToken.None);
            Assert.IsType<SqlUserStore>(accounts.Users);
            Assert.IsType<SqlAccessTokenStore>(accounts.Tokens);
            Assert.IsType<SqlSigningKeyStore>(accounts.SigningKeys);

            // The same database: a user the command adds is one the server knows.
            await accounts.Users.CreateAsync(new UserRecord("alice", accounts.Hasher.Hash("alice-password"), ["team"], DateTimeOffset.UnixEpoch), CancellationToken.None);
            var users = await server.Services.GetRequiredService<IUserStore>().ListAsync(CancellationToken.None);
            Assert.Equal("alice", Assert.Single(users).Name);
        }
        finally
        {
            if (engine == "PostgreSql")
            {
                await server.Services.GetRequiredService<PostgreSqlDatabase>().DropSchemaAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task A_command_refuses_what_serve_refuses_an_unknown_key_and_a_value_only_checked_at_start()
    {
        var misspelled = _work.Combine("misspelled.json");
        await File.WriteAllTextAsync(misspelled, """{ "Auth": { "Mdoe": "basic" } }""");
        var invalid = _work.Combine("invalid.json");
        await File.WriteAllTextAsync(invalid, """{ "Uploads": { "ExpireAfter": "00:00:00" } }""");

        var unknown = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => AccountStore.OpenAsync(misspelled, _work.Combine("data"), CancellationToken.None));
        Assert.Contains("unknown setting Auth:Mdoe; did you mean Auth:Mode?", unknown.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => AccountStore.OpenAsync(invalid, _work.Combine("data"), CancellationToken.None));
        Assert.Contains("ExpireAfter", bad.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _work.Dispose();

    private string WriteConfig(string engine)
    {
        var path = _work.Combine(engine + ".json");
        object metadata = engine == "Sqlite"
            ? new { Driver = "Sqlite" }
            : new { Driver = "PostgreSql", PostgreSql = new { ConnectionString = TestEngines.PostgreSql, Schema = TestEngines.UniqueName("root") } };
        File.WriteAllText(path, JsonSerializer.Serialize(new { Metadata = metadata, Auth = new { Mode = "Basic", BcryptCost = 4 } }));
        return path;
    }
}
