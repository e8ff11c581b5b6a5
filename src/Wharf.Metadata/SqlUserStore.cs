using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>Local user accounts, the same SQL on every engine.</summary>
public sealed class SqlUserStore(SqlDatabase database) : IUserStore
{
    private const string Columns = "name, password_hash, groups, created_at";

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
                "INSERT INTO users (name, password_hash, groups, created_at) VALUES (@n, @h, @g, @t) ON CONFLICT (name) DO NOTHING", transaction)
                .With("@n", user.Name).With("@h", user.PasswordHash).With("@g", string.Join(' ', user.Groups))
                .With("@t", user.CreatedAt.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> UpdateAsync(string name, string passwordHash, IReadOnlyList<string>? groups, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "UPDATE users SET password_hash = @h, groups = COALESCE(@g, groups) WHERE name = @n", transaction)
                .With("@n", name).With("@h", passwordHash).WithText("@g", groups is null ? null : string.Join(' ', groups));
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using (var tokens = connection.Command("DELETE FROM access_tokens WHERE subject = @n AND kind = 0", transaction).With("@n", name))
            {
                await tokens.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = connection.Command("DELETE FROM users WHERE name = @n", transaction).With("@n", name);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static UserRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        reader.GetTime(3));
}
