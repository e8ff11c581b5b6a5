using System.Globalization;
using System.Text;
using CsCheck;
using Wharf.Core.Services;
using Wharf.FuzzTests.Harness;
using Wharf.Http.Handlers;

namespace Wharf.FuzzTests;

/// <summary>
/// The upload PATCH <c>Content-Range</c> parser and the blob GET <c>Range</c> parser: any header is a well-formed range
/// or nothing, a parsed range prints back to itself, and a <c>Range</c> that parses lies inside the blob.
/// </summary>
public sealed class RangeFuzzTests(ITestOutputHelper output)
{
    private static readonly Bounded.Allowance Allowance = new(4 * 1024, 4);

    /// <summary>Numbers at and around the edges of <see cref="long"/>, and ordinary ones.</summary>
    private static readonly Gen<long> Numbers = Gen.Frequency(
        (3, Gen.Long[0, 1000]),
        (2, Gen.OneOf(0L, 1L, long.MaxValue, long.MaxValue - 1, int.MaxValue, (long)int.MaxValue + 1, 1L << 32, 1L << 40)),
        (1, Gen.Long[0, long.MaxValue]));

    [Fact]
    public void Any_content_range_is_an_ordered_range_that_prints_back_or_nothing()
    {
        var run = new FuzzRun(output, "content-range");
        var headers = Gen.Frequency(
            (3, Mutations.SeededOrRandom(run.Seeds, RangeTokens.All, 256).Select(b => Encoding.UTF8.GetString(b))),
            (1, Gen.Select(Numbers, Numbers, Gen.OneOf("", "bytes ", "bytes="), (a, b, prefix) => FormattableString.Invariant($"{prefix}{a}-{b}"))));
        run.Check(headers, CorpusText.Of, header =>
        {
            var parsed = Bounded.Run("content-range", Bounded.Show(header), header.Length, Allowance,
                () => ChunkRange.TryParse(header, out var range) ? range : (ChunkRange?)null);
            if (parsed is not { } range)
            {
                return;
            }

            if (range.Start < 0 || range.End < range.Start || range.Length < 1)
            {
                throw new FuzzFailure($"content-range: {Bounded.Show(header)} parsed to start {range.Start}, end {range.End}, length {range.Length}");
            }

            if (!ChunkRange.TryParse(FormattableString.Invariant($"{range.Start}-{range.End}"), out var again) || again != range)
            {
                throw new FuzzFailure($"content-range: {Bounded.Show(header)} parsed to {range}, which does not print back");
            }
        }, FuzzSettings.Iterations, Bounded.Show);
    }

    [Fact]
    public void Any_range_is_inside_the_blob_unsatisfiable_or_ignored()
    {
        var run = new FuzzRun(output, "range");
        var headers = Gen.Frequency(
            (3, Mutations.SeededOrRandom(run.Seeds, RangeTokens.All, 256).Select(b => Encoding.UTF8.GetString(b))),
            (1, Gen.Select(Numbers, Numbers, (a, b) => FormattableString.Invariant($"bytes={a}-{b}"))));
        var inputs = Gen.Select(headers, Numbers);
        run.Check(inputs, file => (CorpusText.Of(file), 100L), input => Check(input.Item1, input.Item2), FuzzSettings.Iterations,
            input => $"{Bounded.Show(input.Item1)} of a {input.Item2}-byte blob");
    }

    private static void Check(string header, long blobLength)
    {
        var shown = $"{Bounded.Show(header)} of a {blobLength}-byte blob";
        var (range, unsatisfiable) = Bounded.Run("range", shown, header.Length, Allowance,
            () => (ByteRange.Parse(header, blobLength, out var unsatisfiable), unsatisfiable));
        if (range is { } r && (unsatisfiable || r.Start < 0 || r.Length < 1 || r.End >= blobLength))
        {
            throw new FuzzFailure($"range: {shown} parsed to start {r.Start}, length {r.Length} (unsatisfiable: {unsatisfiable})");
        }

        // A plain first-last range that fits means exactly those bytes.
        var parts = header.StartsWith("bytes=", StringComparison.Ordinal) ? header[6..].Split('-') : [];
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last) && first <= last && last < blobLength
            && (range is not { } exact || exact.Start != first || exact.End != last))
        {
            throw new FuzzFailure($"range: {shown} should be bytes {first} to {last}, parsed to {range}");
        }
    }
}
