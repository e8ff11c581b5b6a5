using Wharf.Core.Policies;

namespace Wharf.Tests.Core.Policies;

public sealed class PolicyTextTests
{
    [Theory]
    [InlineData("30d", 30 * 24 * 3600)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("2w", 14 * 24 * 3600)]
    [InlineData("90m", 90 * 60)]
    [InlineData(" 45s ", 45)]
    public void Durations_read_a_count_and_a_unit(string text, long seconds)
    {
        Assert.True(PolicyText.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("0d")]
    [InlineData("-1d")]
    [InlineData("1.5d")]
    [InlineData("30 days")]
    [InlineData("99999999999999999d")]
    public void Other_durations_are_refused(string text) => Assert.False(PolicyText.TryParseDuration(text, out _));

    [Theory]
    [InlineData("10GiB", 10L << 30)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("1kb", 1000L)]
    [InlineData("1000B", 1000L)]
    [InlineData("1000", 1000L)]
    [InlineData("2 TiB", 2L << 40)]
    public void Sizes_read_decimal_and_binary_units(string text, long bytes)
    {
        Assert.True(PolicyText.TryParseSize(text, out var size));
        Assert.Equal(bytes, size);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GiB")]
    [InlineData("1.5GiB")]
    [InlineData("10 parsecs")]
    [InlineData("-1B")]
    [InlineData("9999999999TiB")]
    public void Other_sizes_are_refused(string text) => Assert.False(PolicyText.TryParseSize(text, out _));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(10L << 30, "10 GiB")]
    public void Sizes_print_in_binary_units(long bytes, string text) => Assert.Equal(text, PolicyText.FormatSize(bytes));

    [Theory]
    [InlineData("v*", "v1.2", true)]
    [InlineData("v*", "latest", false)]
    [InlineData("release-?", "release-7", true)]
    [InlineData("release-?", "release-10", false)]
    [InlineData("stable", "stable", true)]
    [InlineData("stable", "stable2", false)]
    [InlineData("1.0.*", "1.0.3", true)]
    [InlineData("1.0.*", "1x0.3", false)]
    public void Tag_patterns_glob_the_whole_tag(string pattern, string tag, bool matches)
    {
        Assert.True(TagPattern.TryCreate(pattern, out var compiled));
        Assert.Equal(matches, compiled.Matches(tag));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v/1")]
    [InlineData("v[0-9]")]
    public void Tag_patterns_hold_only_tag_characters_and_wildcards(string pattern) => Assert.False(TagPattern.TryCreate(pattern, out _));

    [Theory]
    [InlineData("team-a/app/web", "team-a")]
    [InlineData("team-a", "team-a")]
    public void A_namespace_is_the_first_path_segment(string repository, string namespaceName) =>
        Assert.Equal(namespaceName, RepositoryNamespace.Of(repository));
}
