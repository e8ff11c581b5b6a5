using CsCheck;

namespace Wharf.FuzzTests.Harness;

/// <summary>
/// Runs a target over its corpus (each file as-is) and then over <see cref="FuzzSettings.Iterations"/> generated inputs,
/// and reports how many inputs ran.
/// </summary>
public sealed class FuzzRun(ITestOutputHelper output, string target, Func<CorpusFile, bool>? include = null)
{
    private long _inputs;

    /// <summary>The target's corpus files, or those of them <c>include</c> picks.</summary>
    public IReadOnlyList<CorpusFile> Corpus { get; } = [.. Harness.Corpus.Load(target).Where(include ?? (_ => true))];

    public IReadOnlyList<byte[]> Seeds => [.. Corpus.Select(f => f.Bytes)];

    public void Check<T>(Gen<T> inputs, Func<CorpusFile, T> fromFile, Action<T> property, long iterations, Func<T, string> print)
    {
        foreach (var file in Corpus)
        {
            _inputs++;
            try
            {
                property(fromFile(file));
            }
            catch (Exception e)
            {
                throw new FuzzFailure($"{target}: corpus file {file.Name} fails: {e.Message}", e);
            }
        }

        inputs.Sample(input =>
        {
            Interlocked.Increment(ref _inputs);
            property(input);
        }, iter: iterations, threads: 1, print: print);
        Report();
    }

    public async Task CheckAsync<T>(Gen<T> inputs, Func<CorpusFile, T> fromFile, Func<T, Task> property, long iterations, Func<T, string> print)
    {
        foreach (var file in Corpus)
        {
            _inputs++;
            try
            {
                await property(fromFile(file));
            }
            catch (Exception e)
            {
                throw new FuzzFailure($"{target}: corpus file {file.Name} fails: {e.Message}", e);
            }
        }

        await inputs.SampleAsync(async input =>
        {
            Interlocked.Increment(ref _inputs);
            await property(input);
        }, iter: iterations, threads: 1, print: print);
        Report();
    }

    private void Report() => output.WriteLine($"fuzz {target}: {_inputs} inputs ({Corpus.Count} corpus files, the rest generated)");
}
