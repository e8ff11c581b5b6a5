using Wharf.Core.Metadata.Caching;
using Wharf.Metadata.PostgreSql;

namespace Wharf.Tests.Metadata.Caching;

/// <summary>The payloads of migration 0010's NOTIFYs, as the cache listener reads them.</summary>
public sealed class CacheAnnouncementTests
{
    [Fact]
    public void Each_line_is_one_change()
    {
        var changes = CacheAnnouncement.Parse("t team/app latest\nm team/app sha256:aa\nl team/app sha256:bb\nr old/repo");

        Assert.Equal(
            [
                new CacheChange(CacheChangeKind.Tag, "team/app", "latest"),
                new CacheChange(CacheChangeKind.Manifest, "team/app", "sha256:aa"),
                new CacheChange(CacheChangeKind.Link, "team/app", "sha256:bb"),
                new CacheChange(CacheChangeKind.Repository, "old/repo"),
            ],
            changes);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("t team/app latest\n*")]
    [InlineData("x team/app latest")] // a kind this version does not know
    [InlineData("t team/app")]
    [InlineData("t team/app latest extra")]
    [InlineData("r  ")]
    [InlineData("")]
    public void Anything_else_forgets_everything(string payload)
    {
        Assert.Equal([CacheChange.Everything], CacheAnnouncement.Parse(payload));
    }
}
