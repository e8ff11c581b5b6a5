using System.Globalization;

namespace Wharf.FuzzTests.Harness;

/// <summary>
/// How long a fuzz run is. <c>WHARF_FUZZ_ITERATIONS</c> is the number of generated inputs per target (the CI default
/// keeps the whole suite near a minute on two cores; <c>./test.sh --heavy</c> sets a large value). The corpus files
/// are always run too, on top of it. <c>CsCheck_Seed</c> replays a failing run with the seed CsCheck printed.
/// </summary>
public static class FuzzSettings
{
    public const int DefaultIterations = 2000;

    public static long Iterations { get; } = Read("WHARF_FUZZ_ITERATIONS", DefaultIterations);

    /// <summary>The generated inputs for a target whose single input costs <paramref name="costFactor"/> times a parser's.</summary>
    public static long IterationsFor(int costFactor) => Math.Max(1, Iterations / costFactor);

    /// <summary>
    /// The longest one input may take before it counts as a hang. Generous: the machine running CI is shared, and a
    /// real hang never ends.
    /// </summary>
    public static TimeSpan InputTimeLimit { get; } = TimeSpan.FromMilliseconds(Read("WHARF_FUZZ_INPUT_TIMEOUT_MS", 5000));

    private static long Read(string variable, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
}
