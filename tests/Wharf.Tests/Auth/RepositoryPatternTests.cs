using Wharf.Auth;

namespace Wharf.Tests.Auth;

public sealed class RepositoryPatternTests
{
    [Theory]
    [InlineData("team-a/**", "team-a/app", true)]
    [InlineData("team-a/**", "team-a/x/y", true)]
    [InlineData("team-a/**", "team-a", false)]
    [InlineData("team-a/**", "team-ab/app", false)]
    [InlineData("team-a/*", "team-a/app", true)]
    [InlineData("team-a/*", "team-a/x/y", false)]
    [InlineData("*/app", "any/app", true)]
    [InlineData("library/ubuntu", "library/ubuntu", true)]
    [InlineData("library/ubuntu", "library/ubuntu2", false)]
    [InlineData("a.b/**", "axb/c", false)]
    [InlineData("**", "anything/at/all", true)]
    public void Matches_by_segments(string pattern, string repository, bool expected)
    {
        Assert.True(RepositoryPattern.TryCreate(pattern, out var compiled));

        Assert.Equal(expected, compiled.Matches(repository));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Team/**")]
    [InlineData("team a")]
    [InlineData("team/(x)")]
    public void Rejects_what_no_repository_name_could_match(string pattern) =>
        Assert.False(RepositoryPattern.TryCreate(pattern, out _));
}
