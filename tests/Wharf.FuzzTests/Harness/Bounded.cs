namespace Wharf.FuzzTests.Harness;

/// <summary>
/// Runs one input against a target under the fuzz properties: it ends within <see cref="FuzzSettings.InputTimeLimit"/>,
/// throws nothing the target does not document, and allocates within a bound proportional to the input
/// (counted on the target's thread, or for asynchronous targets <see cref="GC.GetTotalAllocatedBytes"/> before and after: the
/// suite runs one test at a time, so little else counts).
/// </summary>
public static class Bounded
{
    /// <summary>The allocation allowed for an input of <paramref name="inputLength"/> bytes: a fixed part plus a multiple.</summary>
    public readonly record struct Allowance(long FixedBytes, long PerInputByte)
    {
        public long For(long inputLength) => FixedBytes + (PerInputByte * inputLength);
    }

    /// <summary>A synchronous target: its allocation is counted on its own thread, so nothing else running can add to it.</summary>
    public static T Run<T>(string target, string input, long inputLength, Allowance allowance, Func<T> run) =>
        CheckAsync(target, input, inputLength, allowance, FuzzSettings.InputTimeLimit, Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var result = run();
            return (result, GC.GetAllocatedBytesForCurrentThread() - before);
        })).GetAwaiter().GetResult();

    public static Task<T> RunAsync<T>(string target, string input, long inputLength, Allowance allowance, Func<Task<T>> run) =>
        RunAsync(target, input, inputLength, allowance, FuzzSettings.InputTimeLimit, run);

    /// <summary>An asynchronous target, whose work may continue on other threads: the whole process's allocation counts.</summary>
    public static Task<T> RunAsync<T>(string target, string input, long inputLength, Allowance allowance, TimeSpan timeLimit, Func<Task<T>> run) =>
        CheckAsync(target, input, inputLength, allowance, timeLimit, Task.Run(async () =>
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var result = await run();
            return (result, GC.GetTotalAllocatedBytes(precise: true) - before);
        }));

    private static async Task<T> CheckAsync<T>(string target, string input, long inputLength, Allowance allowance, TimeSpan timeLimit, Task<(T Result, long Allocated)> work)
    {
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
