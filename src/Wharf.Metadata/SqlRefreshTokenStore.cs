using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>Refresh token families, the same SQL on every engine: one conditional update per use of a refresh token.</summary>
public sealed class SqlRefreshTokenStore(SqlDatabase database) : IRefreshTokenStore
{
    public async ValueTask CreateAsync(string family, string subject, string tokenId, DateTimeOffset expiresAt, bool reusable, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using (var expired = connection.Command("DELETE FROM refresh_families WHERE expires_at <= @now", transaction).With("@now", now.ToUnixTimeMilliseconds()))
            {
                await expired.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = connection.Command(
                "INSERT INTO refresh_families (family, subject, current_id, expires_at, reusable) VALUES (@f, @s, @c, @e, @r)", transaction)
                .With("@f", family).With("@s", subject).With("@c", tokenId).With("@e", expiresAt.ToUnixTimeMilliseconds()).With("@r", reusable ? 1 : 0);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public ValueTask<RefreshRotation> RotateAsync(string family, string tokenId, string nextId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using (var rotate = connection.Command(
                "UPDATE refresh_families SET current_id = @n, expires_at = @e WHERE family = @f AND current_id = @c AND revoked_at IS NULL AND expires_at > @now AND reusable = 0", transaction)
                .With("@f", family).With("@c", tokenId).With("@n", nextId).With("@e", expiresAt.ToUnixTimeMilliseconds()).With("@now", now.ToUnixTimeMilliseconds()))
            {
                if (await rotate.ExecuteNonQueryAsync(cancellationToken) > 0)
                {
                    return RefreshRotation.Rotated;
                }
            }

            await using (var kept = connection.Command(
                "SELECT 1 FROM refresh_families WHERE family = @f AND current_id = @c AND revoked_at IS NULL AND expires_at > @now AND reusable = 1", transaction)
                .With("@f", family).With("@c", tokenId).With("@now", now.ToUnixTimeMilliseconds()))
            {
                if (await kept.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    return RefreshRotation.Kept;
                }
            }

            // Not the current token of a live family: a spent token presented again means it leaked (or its holder
            // raced itself); either way no token of this family may be used any more.
            await using var revoke = connection.Command(
                "UPDATE refresh_families SET revoked_at = COALESCE(revoked_at, @now) WHERE family = @f AND expires_at > @now", transaction)
                .With("@f", family).With("@now", now.ToUnixTimeMilliseconds());
            return await revoke.ExecuteNonQueryAsync(cancellationToken) > 0 ? RefreshRotation.Reused : RefreshRotation.Unknown;
        }, cancellationToken);
}
