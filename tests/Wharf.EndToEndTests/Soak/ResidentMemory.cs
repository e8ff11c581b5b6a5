using System.Globalization;

namespace Wharf.EndToEndTests.Soak;

/// <summary>Samples a process's resident set size (VmRSS in <c>/proc/PID/status</c>).</summary>
internal static class ResidentMemory
{
    public static long OfProcess(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS line for process {pid}");
    }

    /// <summary>The median of a window of samples: one garbage collection's swing does not decide a growth figure.</summary>
    public static long Median(IEnumerable<long> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
