using Wharf.Http.Telemetry;

namespace Wharf.Tests.Http.Routing;

/// <summary>The route family label: a handful of values, never a repository name.</summary>
public sealed class RouteFamilyTests
{
    [Theory]
    [InlineData("/v2/", "v2.base")]
    [InlineData("/v2", "v2.base")]
    [InlineData("/v2/_catalog", "v2.catalog")]
    [InlineData("/v2/team/app/tags/list", "v2.tags")]
    [InlineData("/v2/team/app/manifests/v1", "v2.manifest")]
    [InlineData("/v2/team/app/blobs/sha256:abc", "v2.blob")]
    [InlineData("/v2/team/app/blobs/uploads/", "v2.upload")]
    [InlineData("/v2/team/app/blobs/uploads/0f3c", "v2.upload")]
    [InlineData("/v2/team/app/referrers/sha256:abc", "v2.referrers")]
    [InlineData("/v2/blobs/manifests/v1", "v2.manifest")] // a repository named "blobs"
    [InlineData("/v2/team/manifests/blobs/sha256:abc", "v2.blob")] // a repository named "team/manifests"
    [InlineData("/auth/token", "auth.token")]
    [InlineData("/api/repositories", "api")]
    [InlineData("/v1/search", "search")]
    [InlineData("/metrics", "metrics")]
    [InlineData("/", "ui")]
    [InlineData("/r/team/app", "ui")]
    public void Each_path_has_its_family(string path, string family) => Assert.Equal(family, RouteFamily.Of(path, "/metrics"));
}
