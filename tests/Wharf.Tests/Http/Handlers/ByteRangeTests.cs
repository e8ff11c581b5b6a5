using Wharf.Http.Handlers;

namespace Wharf.Tests.Http.Handlers;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-0", 100, 0, 1)]
    [InlineData("bytes=0-99", 100, 0, 100)]
    [InlineData("bytes=10-19", 100, 10, 10)]
    [InlineData("bytes=10-", 100, 10, 90)]
    [InlineData("bytes=99-", 100, 99, 1)]
    [InlineData("bytes=-1", 100, 99, 1)]
    [InlineData("bytes=-10", 100, 90, 10)]
    [InlineData("bytes=-1000", 100, 0, 100)]
    [InlineData("bytes=50-1000", 100, 50, 50)]
    [InlineData("bytes=0-9223372036854775807", 100, 0, 100)]
    [InlineData("Bytes=1-2", 100, 1, 2)]
    [InlineData("bytes= 1-2 ", 100, 1, 2)]
    public void Single_satisfiable_range_resolves_against_the_length(string header, long entityLength, long start, long length)
    {
        var range = ByteRange.Parse(header, entityLength, out var unsatisfiable);
        Assert.False(unsatisfiable);
        Assert.Equal(new ByteRange(start, length), range);
        Assert.Equal(start + length - 1, range!.Value.End);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-1")]
    [InlineData("bytes=")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=0-1, -5")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=-")]
    [InlineData("bytes=99999999999999999999-")]
    public void Malformed_or_multiple_ranges_are_ignored(string? header)
    {
        Assert.Null(ByteRange.Parse(header, 100, out var unsatisfiable));
        Assert.False(unsatisfiable);
    }

    [Theory]
    [InlineData("bytes=100-", 100)]
    [InlineData("bytes=100-200", 100)]
    [InlineData("bytes=1000-1001", 100)]
    [InlineData("bytes=-0", 100)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=-5", 0)]
    [InlineData("bytes=5-2", 100)]
    public void Range_outside_the_entity_is_unsatisfiable(string header, long entityLength)
    {
        Assert.Null(ByteRange.Parse(header, entityLength, out var unsatisfiable));
        Assert.True(unsatisfiable);
    }
}
