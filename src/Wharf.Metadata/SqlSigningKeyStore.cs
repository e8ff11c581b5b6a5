using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>The token signing keys every instance on one database shares, the same SQL on every engine.</summary>
public sealed class SqlSigningKeyStore(SqlDatabase database) : ISigningKeyStore
{
    public async ValueTask<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT kid, algorithm, generation, private_key, created_at, retired_at FROM signing_keys ORDER BY algorithm, generation");
        return await database.ReadAllAsync(command, Read, cancellationToken);
    }

    /// <remarks>
    /// No conflict target: a taken kid and a taken (algorithm, generation) both leave the table as it was. Of two
    /// instances inserting the same generation at once on PostgreSQL, the second waits on the unique index until
    /// the first commits, then does nothing: exactly one row, and each caller learns whether it was the one.
    /// </remarks>
    public ValueTask<bool> AddAsync(SigningKeyRecord key, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "INSERT INTO signing_keys (kid, algorithm, generation, private_key, created_at, retired_at) VALUES (@k, @a, @g, @p, @c, @r) ON CONFLICT DO NOTHING",
                transaction)
                .With("@k", key.Kid).With("@a", key.Algorithm).With("@g", key.Generation).With("@p", key.PrivateKeyPem)
                .With("@c", key.CreatedAt.ToUnixTimeMilliseconds()).With("@r", key.RetiredAt?.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> RetireAsync(string kid, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("UPDATE signing_keys SET retired_at = @t WHERE kid = @k AND retired_at IS NULL", transaction)
                .With("@k", kid).With("@t", at.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static SigningKeyRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt32(2),
        reader.GetString(3),
        reader.GetTime(4),
        reader.GetTimeOrNull(5));
}
