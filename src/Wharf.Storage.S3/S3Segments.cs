using System.Globalization;
using System.Text;

namespace Wharf.Storage.S3;

/// <summary>The first <see cref="Length"/> bytes of the immutable data object at <see cref="Data"/> (a path relative to the prefix).</summary>
internal readonly record struct S3Segment(string Data, long Length);

/// <summary>
/// An object continued in chunks is kept as a list of segments (docs/design/s3.md, "Chunked uploads: segment lists"):
/// its pointer's body holds one line per segment, <c>{data path} {length}</c>, in order. Every segment but the last is at
/// least S3's 5 MiB part minimum, so the list can be assembled into one data object by copying each segment once.
/// </summary>
internal static class S3Segments
{
    /// <summary>User metadata of a segment list: how many segments its body names.</summary>
    public const string CountMetadata = "x-amz-meta-wharf-segments";

    public static string Format(IReadOnlyList<S3Segment> segments)
    {
        var text = new StringBuilder(segments.Count * 80);
        foreach (var segment in segments)
        {
            text.Append(segment.Data).Append(' ').Append(segment.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The segments of a list's body; <see cref="InvalidDataException"/> if it is not one (nothing Wharf wrote).</summary>
    public static List<S3Segment> Parse(string body)
    {
        var segments = new List<S3Segment>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.LastIndexOf(' ');
            if (space <= 0 || !long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length <= 0)
            {
                throw new InvalidDataException($"not a segment list line: '{line}'");
            }

            segments.Add(new S3Segment(line[..space], length));
        }

        return segments;
    }

    /// <summary>The segments holding bytes [0, <paramref name="offset"/>): whole ones, then a prefix of the one the offset falls in.</summary>
    public static List<S3Segment> Truncate(IReadOnlyList<S3Segment> segments, long offset)
    {
        var kept = new List<S3Segment>();
        var start = 0L;
        foreach (var segment in segments)
        {
            if (start >= offset)
            {
                break;
            }

            kept.Add(segment with { Length = Math.Min(segment.Length, offset - start) });
            start += segment.Length;
        }

        return kept;
    }

    public static long TotalLength(IReadOnlyList<S3Segment> segments)
    {
        var total = 0L;
        foreach (var segment in segments)
        {
            total += segment.Length;
        }

        return total;
    }
}
