namespace Wharf.FuzzTests.Harness;

/// <summary>
/// Runs one input against a target under the fuzz properties: it ends within <see cref="FuzzSettings.InputTimeLimit"/>,
/// throws nothing the target does not document, and allocates within a bound proportional to the input
/// (<see cref="GC.GetTotalAllocatedBytes"/> before and after; the suite runs one test at a time, so nothing else counts).
/// </summary>
public static class Bounded
{
    /// <summary>The allocation allowed for an input of <paramref name="inputLength"/> bytes: a fixed part plus a multiple.</summary>
    public readonly record struct Allowance(long FixedBytes, long PerInputByte)
    {
        public long For(long inputLength) => FixedBytes + (PerInputByte * inputLength);
    }

    public static T Run<T>(string target, string input, long inputLength, Allowance allowance, Func<T> run) =>
        RunAsync(target, input, inputLength, allowance, () => Task.FromResult(run())).GetAwaiter().GetResult();

    public static Task<T> RunAsync<T>(string target, string input, long inputLength, Allowance allowance, Func<Task<T>> run) =>
        RunAsync(target, input, inputLength, allowance, FuzzSettings.InputTimeLimit, run);

    public static async Task<T> RunAsync<T>(string target, string input, long inputLength, Allowance allowance, TimeSpan timeLimit, Func<Task<T>> run)
    {
        var work = Task.Run(async () =>
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var result = await run();
            return (Result: result, Allocated: GC.GetTotalAllocatedBytes(precise: true) - before);
        });
        try
        {
            await work.WaitAsync(timeLimit);
        }
        catch (TimeoutException)
        {
            throw new FuzzFailure($"{target}: no answer within {timeLimit.TotalSeconds:F1} s (a hang) for {input}");
        }
        catch (Exception e) when (e is not FuzzFailure)
        {
            throw new FuzzFailure($"{target}: threw {e.GetType().Name}: {e.Message} for {input}", e);
        }

        var (value, allocated) = work.Result;
        var allowed = allowance.For(inputLength);
        if (allocated > allowed)
        {
            throw new FuzzFailure($"{target}: allocated {allocated:N0} bytes, more than the {allowed:N0} allowed for {inputLength:N0} input bytes, for {input}");
        }

        return value;
    }

    /// <summary>A short, printable rendering of an input for failure messages.</summary>
    public static string Show(ReadOnlySpan<byte> bytes) => bytes.Length <= 200
        ? Convert.ToHexString(bytes)
        : $"{Convert.ToHexString(bytes[..200])}… ({bytes.Length} bytes)";

    public static string Show(byte[] bytes) => Show(bytes.AsSpan());

    public static string Show(string text) => text.Length <= 200
        ? System.Text.Json.JsonSerializer.Serialize(text)
        : $"{System.Text.Json.JsonSerializer.Serialize(text[..200])}… ({text.Length} chars)";
}

/// <summary>A property the fuzzer checks did not hold for an input.</summary>
public sealed class FuzzFailure : Exception
{
    public FuzzFailure()
    {
    }

    public FuzzFailure(string message)
        : base(message)
    {
    }

    public FuzzFailure(string message, Exception inner)
        : base(message, inner)
    {
    }
}
