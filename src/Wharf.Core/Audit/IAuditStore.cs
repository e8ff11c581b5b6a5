using Wharf.Core.Metadata;

namespace Wharf.Core.Audit;

/// <summary>The audit log in the metadata store: appended to, queried newest first, pruned by age.</summary>
public interface IAuditStore
{
    /// <summary>Stores <paramref name="entry"/> (its <see cref="AuditEvent.Id"/> is ignored; the store assigns one).</summary>
    ValueTask AppendAsync(AuditEvent entry, CancellationToken cancellationToken);

    /// <summary>Up to <see cref="AuditQuery.Limit"/> events matching every filter, newest (highest id) first.</summary>
    ValueTask<Page<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Removes every event before <paramref name="before"/>; returns how many.</summary>
    ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
