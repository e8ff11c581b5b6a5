using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

public sealed class PostgreSqlRepositoryReader(PostgreSqlDatabase database) : IRepositoryReader
{
    public async ValueTask<Page<string>> ListAsync(string? last, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT name FROM repositories WHERE name > @l ORDER BY name LIMIT @n")
            .With("@l", last ?? "").With("@n", limit + 1);
        return await command.ReadPageAsync(limit, cancellationToken);
    }
}
