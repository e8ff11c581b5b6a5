using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>Personal access tokens and issued-token records, the same SQL on every engine.</summary>
public sealed class SqlAccessTokenStore(SqlDatabase database) : IAccessTokenStore
{
    private const string Columns = "id, subject, kind, secret_hash, scopes, description, created_at, expires_at, revoked_at";

    public ValueTask<bool> CreateAsync(AccessTokenRecord token, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                $"INSERT INTO access_tokens ({Columns}) VALUES (@i, @s, @k, @h, @sc, @d, @c, @e, @r) ON CONFLICT (id) DO NOTHING", transaction)
                .With("@i", token.Id).With("@s", token.Subject).With("@k", (int)token.Kind).With("@h", token.SecretHash)
                .With("@sc", string.Join('\n', token.Scopes)).With("@d", token.Description)
                .With("@c", token.CreatedAt.ToUnixTimeMilliseconds()).With("@e", token.ExpiresAt?.ToUnixTimeMilliseconds())
                .With("@r", token.RevokedAt?.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public async ValueTask<AccessTokenRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM access_tokens WHERE id = @i").With("@i", id);
        return await database.ReadFirstAsync(command, Read, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<AccessTokenRecord>> ListAsync(string? subject, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A text-typed parameter: PostgreSQL cannot infer the type of a bare "@s IS NULL" otherwise.
        await using var command = connection.Command(
            $"SELECT {Columns} FROM access_tokens WHERE @s IS NULL OR subject = @s ORDER BY created_at, id").WithText("@s", subject);
        return await database.ReadAllAsync(command, Read, cancellationToken);
    }

    public ValueTask<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("UPDATE access_tokens SET revoked_at = @r WHERE id = @i AND revoked_at IS NULL", transaction)
                .With("@i", id).With("@r", at.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static AccessTokenRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        (AccessTokenKind)reader.GetInt32(2),
        reader.GetString(3),
        reader.GetString(4).Split('\n', StringSplitOptions.RemoveEmptyEntries),
        reader.GetString(5),
        reader.GetTime(6),
        reader.GetTimeOrNull(7),
        reader.GetTimeOrNull(8));
}
