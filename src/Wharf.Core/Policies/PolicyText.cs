using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Wharf.Core.Policies;

/// <summary>The short texts of policy settings: durations (<c>30d</c>, <c>12h</c>) and byte sizes (<c>10GiB</c>, <c>500MB</c>).</summary>
public static class PolicyText
{
    private static readonly (string Suffix, TimeSpan Unit)[] DurationUnits =
    [
        ("w", TimeSpan.FromDays(7)), ("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)),
    ];

    // Longest suffixes first, so "GiB" is not read as "B".
    private static readonly (string Suffix, long Unit)[] SizeUnits =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1000L), ("MB", 1000L * 1000), ("GB", 1000L * 1000 * 1000), ("TB", 1000L * 1000 * 1000 * 1000),
        ("B", 1L),
    ];

    /// <summary>A positive whole number followed by <c>w</c>, <c>d</c>, <c>h</c>, <c>m</c> or <c>s</c>.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        foreach (var (suffix, unit) in DurationUnits)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal)
                && long.TryParse(trimmed[..^suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                && count > 0 && count <= TimeSpan.MaxValue.Ticks / unit.Ticks / 2)
            {
                duration = unit * count;
                return true;
            }
        }

        return false;
    }

    /// <summary>A whole number of bytes with an optional unit: <c>B</c>, <c>KB</c>/<c>MB</c>/<c>GB</c>/<c>TB</c> (powers of 1000) or <c>KiB</c>/<c>MiB</c>/<c>GiB</c>/<c>TiB</c> (powers of 1024).</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        var (number, unit) = (trimmed, 1L);
        foreach (var (suffix, factor) in SizeUnits)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                (number, unit) = (trimmed[..^suffix.Length].TrimEnd(), factor);
                break;
            }
        }

        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > long.MaxValue / unit)
        {
            return false;
        }

        bytes = count * unit;
        return true;
    }

    /// <summary>Bytes for people: <c>1.5 GiB</c>, <c>12 B</c>.</summary>
    public static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var i = 0;
        while (value >= 1024 && i < units.Length - 1)
        {
            value /= 1024;
            i++;
        }

        return i == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[i]}");
    }

    /// <summary>Whether the text is a valid size; for options validation.</summary>
    public static bool IsSize([NotNullWhen(true)] string? text) => TryParseSize(text, out _);
}
