using System.Globalization;

namespace Wharf.Core.Services.Maintenance;

/// <summary>How many blobs <c>wharf check --sample</c> verifies: a count (<c>500</c>) or a share of all blobs (<c>10%</c>).</summary>
public sealed record SampleSize(long? Count, double? Percent)
{
    public static bool TryParse(string? text, out SampleSize sample)
    {
        sample = null!;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.EndsWith('%'))
        {
            if (double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) && percent is > 0 and <= 100)
            {
                sample = new SampleSize(null, percent);
                return true;
            }

            return false;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            sample = new SampleSize(count, null);
            return true;
        }

        return false;
    }

    /// <summary>The number of blobs to pick out of <paramref name="total"/> (a percentage rounds up, so a non-empty store always gets one).</summary>
    public long Of(long total) => Count is { } count
        ? Math.Min(count, total)
        : (long)Math.Min(total, Math.Ceiling(total * Percent!.Value / 100));
}
