using Wharf.Auth;
using Wharf.Http.Auth;
using Wharf.Http.Routing;

namespace Wharf.Tests.Http.Auth;

public sealed class RequiredAccessTests
{
    [Theory]
    [InlineData("/v2/", "GET", RequiredAccessKind.SignedIn, "", AccessActions.None, null)]
    [InlineData("/v2/_catalog", "GET", RequiredAccessKind.Catalog, "", AccessActions.None, "registry:catalog:*")]
    [InlineData("/v2/a/b/manifests/v1", "GET", RequiredAccessKind.Repository, "a/b", AccessActions.Pull, "repository:a/b:pull")]
    [InlineData("/v2/a/b/manifests/v1", "HEAD", RequiredAccessKind.Repository, "a/b", AccessActions.Pull, "repository:a/b:pull")]
    [InlineData("/v2/a/b/manifests/v1", "PUT", RequiredAccessKind.Repository, "a/b", AccessActions.Push, "repository:a/b:pull,push")]
    [InlineData("/v2/a/b/manifests/v1", "DELETE", RequiredAccessKind.Repository, "a/b", AccessActions.Delete, "repository:a/b:delete")]
    [InlineData("/v2/a/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000", "GET", RequiredAccessKind.Repository, "a", AccessActions.Pull, "repository:a:pull")]
    [InlineData("/v2/a/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000", "DELETE", RequiredAccessKind.Repository, "a", AccessActions.Delete, "repository:a:delete")]
    [InlineData("/v2/a/blobs/uploads/", "POST", RequiredAccessKind.Repository, "a", AccessActions.Push, "repository:a:pull,push")]
    [InlineData("/v2/a/blobs/uploads/0123456789abcdef0123456789abcdef", "GET", RequiredAccessKind.Repository, "a", AccessActions.Push, "repository:a:pull,push")]
    [InlineData("/v2/a/blobs/uploads/0123456789abcdef0123456789abcdef", "DELETE", RequiredAccessKind.Repository, "a", AccessActions.Push, "repository:a:pull,push")]
    [InlineData("/v2/a/tags/list", "GET", RequiredAccessKind.Repository, "a", AccessActions.Pull, "repository:a:pull")]
    [InlineData("/v2/a/referrers/sha256:0000000000000000000000000000000000000000000000000000000000000000", "GET", RequiredAccessKind.Repository, "a", AccessActions.Pull, "repository:a:pull")]
    public void Every_route_and_method_needs_one_scope_decided_without_lookups(string path, string method, RequiredAccessKind kind, string repository, AccessActions actions, string? scope)
    {
        var parsed = OciPath.Parse(path);
        Assert.Null(parsed.Error);

        var required = RequiredAccess.For(parsed.Route, method);

        Assert.Equal(kind, required.Kind);
        Assert.Equal(repository, required.Repository);
        Assert.Equal(actions, required.Actions);
        Assert.Equal(scope, required.ChallengeScope);
    }
}
