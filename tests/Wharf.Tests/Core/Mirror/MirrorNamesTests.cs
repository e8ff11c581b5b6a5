using Wharf.Core.Mirror;

namespace Wharf.Tests.Core.Mirror;

public sealed class MirrorNamesTests
{
    private static readonly MirrorNames Names = new(new MirrorOptions
    {
        Default = "hub",
        Upstreams =
        {
            new UpstreamOptions { Prefix = "hub", Url = new Uri("https://registry-1.docker.io"), LibraryPrefix = true, Namespaces = { "docker.io" } },
            new UpstreamOptions { Prefix = "ghcr", Url = new Uri("https://ghcr.io"), Namespaces = { "ghcr.io" } },
        },
    });

    [Theory]
    [InlineData("hub/alpine", "library/alpine")]
    [InlineData("hub/library/alpine", "library/alpine")]
    [InlineData("hub/bitnami/redis", "bitnami/redis")]
    [InlineData("ghcr/owner/app", "owner/app")]
    [InlineData("ghcr/app", "app")]
    public void A_prefixed_name_maps_to_its_upstream_name(string repository, string upstream)
    {
        var resolved = Names.Resolve(repository);

        Assert.NotNull(resolved);
        Assert.Equal(upstream, resolved.UpstreamName);
        Assert.Equal(repository, resolved.Repository);
    }

    [Theory]
    [InlineData("hub")]
    [InlineData("team/app")]
    [InlineData("hubx/alpine")]
    public void Wharfs_own_names_are_not_cached(string repository) => Assert.Null(Names.Resolve(repository));

    [Theory]
    [InlineData("library/alpine", null, "hub/library/alpine")]
    [InlineData("library/alpine", "docker.io", "hub/library/alpine")]
    [InlineData("owner/app", "ghcr.io", "ghcr/owner/app")]
    [InlineData("owner/app", "GHCR.IO", "ghcr/owner/app")]
    [InlineData("owner/app", "quay.io", null)]
    [InlineData("hub/library/alpine", null, null)]
    public void Mirror_mode_rewrites_unprefixed_names(string repository, string? ns, string? expected) =>
        Assert.Equal(expected, Names.Rewrite(repository, ns));

    [Fact]
    public void Without_a_default_only_ns_rewrites()
    {
        var names = new MirrorNames(new MirrorOptions { Upstreams = { new UpstreamOptions { Prefix = "hub", Url = new Uri("https://x"), Namespaces = { "docker.io" } } } });

        Assert.Null(names.Rewrite("library/alpine", null));
        Assert.Equal("hub/library/alpine", names.Rewrite("library/alpine", "docker.io"));
    }
}
