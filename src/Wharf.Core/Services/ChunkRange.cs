namespace Wharf.Core.Services;

/// <summary>An inclusive byte range from a <c>Content-Range</c> header of a chunk upload.</summary>
public readonly record struct ChunkRange(long Start, long End)
{
    public long Length => End - Start + 1;

    /// <summary>Parses <c>start-end</c>, optionally prefixed by <c>bytes </c> or <c>bytes=</c>.</summary>
    public static bool TryParse(string? text, out ChunkRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.AsSpan().Trim();
        if (s.StartsWith("bytes", StringComparison.OrdinalIgnoreCase))
        {
            s = s[5..].TrimStart(" =");
        }

        var slash = s.IndexOf('/');
        if (slash >= 0)
        {
            s = s[..slash];
        }

        var dash = s.IndexOf('-');
        if (dash <= 0
            || !long.TryParse(s[..dash], System.Globalization.NumberStyles.None, null, out var start)
            || !long.TryParse(s[(dash + 1)..], System.Globalization.NumberStyles.None, null, out var end)
            || end < start
            || end - start == long.MaxValue) // its length would not fit in a long
        {
            return false;
        }

        range = new ChunkRange(start, end);
        return true;
    }
}
