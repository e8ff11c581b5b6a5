using System.Data.Common;
using System.Security.Cryptography;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>Local user accounts, the same SQL on every engine.</summary>
public sealed class SqlUserStore(SqlDatabase database) : IUserStore
{
    private const string Columns = "name, password_hash, groups, created_at, session_epoch";

    public async ValueTask<UserRecord?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM users WHERE name = @n").With("@n", name);
        return await database.ReadFirstAsync(command, Read, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM users ORDER BY name");
        return await database.ReadAllAsync(command, Read, cancellationToken);
    }

    public ValueTask<bool> CreateAsync(UserRecord user, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "INSERT INTO users (name, password_hash, groups, created_at, session_epoch) VALUES (@n, @h, @g, @t, @e) ON CONFLICT (name) DO NOTHING", transaction)
                .With("@n", user.Name).With("@h", user.PasswordHash).With("@g", string.Join(' ', user.Groups))
                .With("@t", user.CreatedAt.ToUnixTimeMilliseconds()).With("@e", user.SessionEpoch.Length > 0 ? user.SessionEpoch : NewEpoch());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> UpdateAsync(string name, string passwordHash, IReadOnlyList<string>? groups, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            // A new password ends every session and refresh token issued before: a new epoch, and the families revoked.
            await using (var families = connection.Command(
                "UPDATE refresh_families SET revoked_at = @r WHERE subject = @n AND revoked_at IS NULL "
                + "AND EXISTS (SELECT 1 FROM users WHERE name = @n AND password_hash <> @h)", transaction)
                .With("@n", name).With("@h", passwordHash).With("@r", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
            {
                await families.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = connection.Command(
                "UPDATE users SET session_epoch = CASE WHEN password_hash = @h THEN session_epoch ELSE @e END, password_hash = @h, "
                + "groups = COALESCE(@g, groups) WHERE name = @n", transaction)
                .With("@n", name).With("@h", passwordHash).With("@e", NewEpoch()).WithText("@g", groups is null ? null : string.Join(' ', groups));
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using (var tokens = connection.Command("DELETE FROM access_tokens WHERE subject = @n AND kind = 0", transaction).With("@n", name))
            {
                await tokens.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var families = connection.Command("DELETE FROM refresh_families WHERE subject = @n", transaction).With("@n", name))
            {
                await families.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = connection.Command("DELETE FROM users WHERE name = @n", transaction).With("@n", name);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static UserRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        reader.GetTime(3),
        reader.GetString(4));

    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
