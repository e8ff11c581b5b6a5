using Wharf.Core.Services.Maintenance;

namespace Wharf.Tests.Core.Services.Maintenance;

public sealed class SampleSizeTests
{
    [Theory]
    [InlineData("500", 6, 6)]
    [InlineData("2", 6, 2)]
    [InlineData("50%", 6, 3)]
    [InlineData("10%", 6, 1)]
    [InlineData("100%", 6, 6)]
    [InlineData("0.5%", 1000, 5)]
    [InlineData("10%", 0, 0)]
    public void A_count_or_a_share_picks_that_many_blobs_rounding_a_share_up(string text, long total, long expected)
    {
        Assert.True(SampleSize.TryParse(text, out var sample));
        Assert.Equal(expected, sample.Of(total));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("0%")]
    [InlineData("101%")]
    [InlineData("ten")]
    [InlineData("%")]
    [InlineData("")]
    public void Nothing_else_is_a_sample_size(string text) => Assert.False(SampleSize.TryParse(text, out _));
}
