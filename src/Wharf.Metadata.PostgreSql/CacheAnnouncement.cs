using Wharf.Core.Metadata.Caching;

namespace Wharf.Metadata.PostgreSql;

/// <summary>
/// Reads the payload of a cache announcement (migration 0010): one change a line, <c>t|m|l repository item</c>,
/// <c>r repository</c> or <c>*</c>. A line it does not understand means "forget everything": a listener that cannot
/// tell what changed must not keep anything that may have.
/// </summary>
public static class CacheAnnouncement
{
    public static IReadOnlyList<CacheChange> Parse(string payload)
    {
        var changes = new List<CacheChange>();
        foreach (var line in payload.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var change = ParseLine(line);
            if (change.Kind == CacheChangeKind.Everything)
            {
                return [CacheChange.Everything];
            }

            changes.Add(change);
        }

        return changes.Count == 0 ? [CacheChange.Everything] : changes;
    }

    private static CacheChange ParseLine(string line)
    {
        var parts = line.Split(' ');
        return (parts[0], parts.Length) switch
        {
            ("t", 3) when Named(parts) => new CacheChange(CacheChangeKind.Tag, parts[1], parts[2]),
            ("m", 3) when Named(parts) => new CacheChange(CacheChangeKind.Manifest, parts[1], parts[2]),
            ("l", 3) when Named(parts) => new CacheChange(CacheChangeKind.Link, parts[1], parts[2]),
            ("r", 2) when Named(parts) => new CacheChange(CacheChangeKind.Repository, parts[1]),
            _ => CacheChange.Everything,
        };
    }

    private static bool Named(string[] parts) => parts.Skip(1).All(p => p.Length > 0);
}
