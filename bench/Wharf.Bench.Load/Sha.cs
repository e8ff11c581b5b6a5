using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Bench.Load;

/// <summary>
/// Single-core SHA-256 ceiling in .NET: one-shot and IncrementalHash over a buffer, fed in chunks like a
/// registry hashing an upload. Prints `name: value MB/s` lines (wall clock and per CPU-second), median of RUNS.
/// </summary>
public static class Sha
{
    public static string Run(Options o)
    {
        var size = o.Int("size_mib", 1024) << 20;
        var runs = o.Int("runs", 3);
        var buffer = GC.AllocateUninitializedArray<byte>(size);
        new Random(42).NextBytes(buffer);
        var hash = new byte[32];
        var output = new StringBuilder();
        Measure(output, "dotnet_sha256_oneshot", buffer.Length, runs, () => SHA256.HashData(buffer, hash));
        foreach (var chunk in new[] { 64 << 10, 1 << 20 })
        {
            Measure(output, $"dotnet_sha256_incremental_{chunk >> 10}KiB", buffer.Length, runs, () =>
            {
                using var incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (var offset = 0; offset < buffer.Length; offset += chunk)
                {
                    incremental.AppendData(buffer, offset, Math.Min(chunk, buffer.Length - offset));
                }

                incremental.GetHashAndReset(hash);
            });
        }

        return output.ToString().TrimEnd();
    }

    private static void Measure(StringBuilder output, string name, long bytes, int runs, Action body)
    {
        body();
        var wall = new List<double>();
        var cpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (var r = 0; r < runs; r++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            body();
            sw.Stop();
            process.Refresh();
            wall.Add(bytes / 1e6 / sw.Elapsed.TotalSeconds);
            cpu.Add(bytes / 1e6 / Math.Max((process.TotalProcessorTime - c0).TotalSeconds, 1e-9));
        }

        output.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {Util.Median(wall):F0} MB/s"));
        output.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{name}_per_cpu_s: {Util.Median(cpu):F0} MB/s"));
    }
}
