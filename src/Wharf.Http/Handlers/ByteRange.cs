namespace Wharf.Http.Handlers;

/// <summary>A single byte range requested with a <c>Range</c> header, resolved against the entity length.</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    /// <summary>
    /// Parses <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-n</c>. Returns null for a header to ignore
    /// (absent, malformed or several ranges: the whole entity is served). <paramref name="unsatisfiable"/> is set
    /// when the single range lies outside the entity or ends before it starts.
    /// </summary>
    public static ByteRange? Parse(string? header, long entityLength, out bool unsatisfiable)
    {
        unsatisfiable = false;
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = header.AsSpan(6).Trim();
        if (spec.Contains(','))
        {
            return null;
        }

        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var second = spec[(dash + 1)..].Trim();
        const System.Globalization.NumberStyles digits = System.Globalization.NumberStyles.None;
        if (first.IsEmpty)
        {
            if (!long.TryParse(second, digits, null, out var suffix))
            {
                return null;
            }

            if (suffix == 0 || entityLength == 0)
            {
                unsatisfiable = true;
                return null;
            }

            var length = Math.Min(suffix, entityLength);
            return new ByteRange(entityLength - length, length);
        }

        if (!long.TryParse(first, digits, null, out var start))
        {
            return null;
        }

        long end;
        if (second.IsEmpty)
        {
            end = entityLength - 1;
        }
        else if (!long.TryParse(second, digits, null, out end))
        {
            return null;
        }
        else if (end < start)
        {
            unsatisfiable = true;
            return null;
        }

        if (start >= entityLength)
        {
            unsatisfiable = true;
            return null;
        }

        end = Math.Min(end, entityLength - 1);
        return new ByteRange(start, end - start + 1);
    }
}
