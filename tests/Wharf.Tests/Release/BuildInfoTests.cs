using Wharf.Release;

namespace Wharf.Tests.Release;

public sealed class BuildInfoTests
{
    private const string Commit = "4a2cfc28416212a9c1a54d0b8e7f3e6d5c4b3a21";

    [Fact]
    public void A_release_prints_its_version_and_the_short_commit_separately()
    {
        var build = BuildInfo.From("0.4.0+" + Commit, "2026-12-06T09:00:00Z", ".NET 10.0.12");

        Assert.Equal("wharf 0.4.0 (commit 4a2cfc284162, built 2026-12-06T09:00:00Z, .NET 10.0.12)", build.Line);
    }

    [Fact]
    public void A_dev_build_carries_its_commit_in_the_version()
    {
        var build = BuildInfo.From("0.0.0-dev+" + Commit, null, ".NET 10.0.12");

        Assert.Equal("0.0.0-dev+4a2cfc284162", build.Version);
        Assert.Equal("4a2cfc284162", build.Commit);
        Assert.Equal(BuildInfo.Unknown, build.BuildDate);
    }

    [Theory]
    [InlineData(null, "0.0.0-dev", BuildInfo.Unknown)]
    [InlineData("", "0.0.0-dev", BuildInfo.Unknown)]
    [InlineData("0.4.0", "0.4.0", BuildInfo.Unknown)]
    [InlineData("0.4.0-3-g1a2b3c4+abc", "0.4.0-3-g1a2b3c4", "abc")]
    public void Missing_parts_read_unknown(string? informational, string version, string commit)
    {
        var build = BuildInfo.From(informational, " ", "Mono 6.12");

        Assert.Equal((version, commit, BuildInfo.Unknown, "Mono 6.12"), (build.Version, build.Commit, build.BuildDate, build.Runtime));
    }
}
