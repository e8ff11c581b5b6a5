using Wharf.Core.Services;

namespace Wharf.Tests.Core.Services;

public sealed class ChunkRangeTests
{
    [Theory]
    [InlineData("0-0", 0, 0)]
    [InlineData("0-99", 0, 99)]
    [InlineData("100-199", 100, 199)]
    [InlineData("bytes 0-99", 0, 99)]
    [InlineData("bytes=0-99", 0, 99)]
    [InlineData("BYTES=5-9", 5, 9)]
    [InlineData("bytes 0-99/100", 0, 99)]
    [InlineData("bytes 0-99/*", 0, 99)]
    [InlineData("  10-20  ", 10, 20)]
    [InlineData("9223372036854775806-9223372036854775806", 9223372036854775806, 9223372036854775806)]
    public void Start_end_ranges_parse(string text, long start, long end)
    {
        Assert.True(ChunkRange.TryParse(text, out var range));
        Assert.Equal(new ChunkRange(start, end), range);
        Assert.Equal(end - start + 1, range.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-")]
    [InlineData("-5")]
    [InlineData("5-")]
    [InlineData("10-5")]
    [InlineData("a-b")]
    [InlineData("+1-2")]
    [InlineData("1-+2")]
    [InlineData("-1-2")]
    [InlineData("1 - 2")]
    [InlineData("0x10-0x20")]
    [InlineData("bytes")]
    [InlineData("bytes=")]
    [InlineData("99999999999999999999-99999999999999999999")]
    [InlineData("0-1,2-3")]
    [InlineData("0-9223372036854775807")] // its length, 2^63, does not fit in a long (found by fuzzing)
    public void Malformed_ranges_are_refused(string? text) => Assert.False(ChunkRange.TryParse(text, out _));
}
