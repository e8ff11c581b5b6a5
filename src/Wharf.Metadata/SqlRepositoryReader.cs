using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>The catalog: repository names in order, a page at a time.</summary>
public sealed class SqlRepositoryReader(SqlDatabase database) : IRepositoryReader
{
    public async ValueTask<Page<string>> ListAsync(string? last, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT name FROM repositories WHERE name > @l ORDER BY name LIMIT @n")
            .With("@l", last ?? "").With("@n", limit + 1);
        return await database.ReadPageAsync(command, limit, cancellationToken);
    }
}
