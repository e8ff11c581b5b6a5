using Microsoft.Data.Sqlite;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

public sealed class SqliteSigningKeyStore(SqliteDatabase database) : ISigningKeyStore
{
    public async ValueTask<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT kid, algorithm, generation, private_key, created_at, retired_at FROM signing_keys ORDER BY algorithm, generation");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<SigningKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    public ValueTask<bool> AddAsync(SigningKeyRecord key, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // No conflict target: a taken kid and a taken (algorithm, generation) both leave the table as it was.
            await using var command = connection.Command(
                "INSERT INTO signing_keys (kid, algorithm, generation, private_key, created_at, retired_at) VALUES ($k, $a, $g, $p, $c, $r) ON CONFLICT DO NOTHING",
                transaction)
                .With("$k", key.Kid).With("$a", key.Algorithm).With("$g", key.Generation).With("$p", key.PrivateKeyPem)
                .With("$c", key.CreatedAt.ToUnixTimeMilliseconds()).With("$r", key.RetiredAt?.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> RetireAsync(string kid, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("UPDATE signing_keys SET retired_at = $t WHERE kid = $k AND retired_at IS NULL", transaction)
                .With("$k", kid).With("$t", at.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static SigningKeyRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt32(2),
        reader.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
}
