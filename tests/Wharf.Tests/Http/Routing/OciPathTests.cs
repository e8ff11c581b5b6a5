using Wharf.Core.Errors;
using Wharf.Http.Routing;

namespace Wharf.Tests.Http.Routing;

public sealed class OciPathTests
{
    private const string D256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string D512 = "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    private const string Upload = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("/v2/", OciRouteKind.Base, "", "")]
    [InlineData("/v2", OciRouteKind.Base, "", "")]
    [InlineData("/v2/_catalog", OciRouteKind.Catalog, "", "")]
    [InlineData("/v2/a/tags/list", OciRouteKind.TagList, "a", "")]
    [InlineData("/v2/a/b/tags/list", OciRouteKind.TagList, "a/b", "")]
    [InlineData("/v2/a/manifests/latest", OciRouteKind.Manifest, "a", "latest")]
    [InlineData("/v2/team/app/manifests/v1.2.3", OciRouteKind.Manifest, "team/app", "v1.2.3")]
    [InlineData("/v2/a/manifests/" + D256, OciRouteKind.Manifest, "a", D256)]
    [InlineData("/v2/a/manifests/" + D512, OciRouteKind.Manifest, "a", D512)]
    [InlineData("/v2/a/b/blobs/" + D256, OciRouteKind.Blob, "a/b", D256)]
    [InlineData("/v2/x/blobs/uploads/", OciRouteKind.UploadStart, "x", "")]
    [InlineData("/v2/x/blobs/uploads", OciRouteKind.UploadStart, "x", "")]
    [InlineData("/v2/x/y/blobs/uploads/", OciRouteKind.UploadStart, "x/y", "")]
    [InlineData("/v2/x/blobs/uploads/" + Upload, OciRouteKind.Upload, "x", Upload)]
    [InlineData("/v2/a/referrers/" + D256, OciRouteKind.Referrers, "a", D256)]
    public void Registry_paths_parse_to_their_route(string path, OciRouteKind kind, string name, string reference)
    {
        var result = OciPath.Parse(path);
        Assert.Null(result.Error);
        Assert.Equal(new OciRoute(kind, name, reference), result.Route);
    }

    [Theory]
    [InlineData("/v2/blobs/manifests/latest", OciRouteKind.Manifest, "blobs", "latest")]
    [InlineData("/v2/manifests/blobs/" + D256, OciRouteKind.Blob, "manifests", D256)]
    [InlineData("/v2/manifests/manifests/latest", OciRouteKind.Manifest, "manifests", "latest")]
    [InlineData("/v2/blobs/blobs/" + D256, OciRouteKind.Blob, "blobs", D256)]
    [InlineData("/v2/blobs/uploads/manifests/latest", OciRouteKind.Manifest, "blobs/uploads", "latest")]
    [InlineData("/v2/x/blobs/uploads/tags/list", OciRouteKind.TagList, "x/blobs/uploads", "")]
    [InlineData("/v2/a/blobs/blobs/uploads/", OciRouteKind.UploadStart, "a/blobs", "")]
    [InlineData("/v2/tags/tags/list", OciRouteKind.TagList, "tags", "")]
    [InlineData("/v2/referrers/referrers/" + D256, OciRouteKind.Referrers, "referrers", D256)]
    [InlineData("/v2/v2/manifests/list", OciRouteKind.Manifest, "v2", "list")]
    public void Names_with_keyword_components_parse_from_the_end(string path, OciRouteKind kind, string name, string reference)
    {
        var result = OciPath.Parse(path);
        Assert.Null(result.Error);
        Assert.Equal(new OciRoute(kind, name, reference), result.Route);
    }

    [Theory]
    [InlineData("/v2/../etc/passwd", ErrorCode.UnknownEndpoint)]
    [InlineData("/v2/a/%2e%2e/b/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/%2e%2e/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/../tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/a/../b/manifests/latest", ErrorCode.NameInvalid)]
    [InlineData("/v2/a%2Fb/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/a%2fb/manifests/latest", ErrorCode.NameInvalid)]
    [InlineData("/v2/a/./b/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2//a/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/a//b/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2//tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/A/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/Library/ubuntu/manifests/latest", ErrorCode.NameInvalid)]
    [InlineData("/v2/a\\b/tags/list", ErrorCode.NameInvalid)]
    [InlineData("/v2/a b/tags/list", ErrorCode.NameInvalid)]
    public void Traversal_and_encoded_names_are_refused(string path, ErrorCode expected)
    {
        var result = OciPath.Parse(path);
        Assert.Equal(expected, result.Error?.Code);
    }

    [Fact]
    public void Name_of_255_characters_is_accepted()
    {
        var name = string.Join('/', Enumerable.Repeat(new string('a', 63), 4));
        var result = OciPath.Parse($"/v2/{name}/tags/list");
        Assert.Null(result.Error);
        Assert.Equal(name, result.Route.Name);
    }

    [Fact]
    public void Name_of_256_characters_is_refused()
    {
        var name = string.Join('/', Enumerable.Repeat(new string('a', 63), 4)) + "a";
        Assert.Equal(ErrorCode.NameInvalid, OciPath.Parse($"/v2/{name}/manifests/latest").Error?.Code);
    }

    [Fact]
    public void Very_long_name_error_message_is_truncated()
    {
        var error = OciPath.Parse($"/v2/{new string('a', 10_000)}/tags/list").Error;
        Assert.Equal(ErrorCode.NameInvalid, error?.Code);
        Assert.True(error!.EffectiveMessage.Length < 400);
    }

    [Theory]
    [InlineData("/v2/a/manifests/.hidden")]
    [InlineData("/v2/a/manifests/-rc")]
    [InlineData("/v2/a/manifests/%2e%2e")]
    [InlineData("/v2/a/manifests/a+b")]
    [InlineData("/v2/a/manifests/")]
    public void Bad_tags_are_refused_as_tag_invalid(string path) =>
        Assert.Equal(ErrorCode.TagInvalid, OciPath.Parse(path).Error?.Code);

    [Fact]
    public void Tag_of_129_characters_is_refused() =>
        Assert.Equal(ErrorCode.TagInvalid, OciPath.Parse("/v2/a/manifests/" + new string('t', 129)).Error?.Code);

    [Fact]
    public void Tag_of_128_characters_is_accepted() =>
        Assert.Null(OciPath.Parse("/v2/a/manifests/" + new string('t', 128)).Error);

    [Theory]
    [InlineData("/v2/a/manifests/sha256:abc")]
    [InlineData("/v2/a/manifests/sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("/v2/a/manifests/sha384:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("/v2/a/blobs/sha256:abc")]
    [InlineData("/v2/a/blobs/latest")]
    [InlineData("/v2/a/blobs/")]
    [InlineData("/v2/a/blobs/sha256%3Ae3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("/v2/a/referrers/latest")]
    [InlineData("/v2/a/referrers/md5:d41d8cd98f00b204e9800998ecf8427e")]
    public void Bad_digests_are_refused_as_digest_invalid(string path) =>
        Assert.Equal(ErrorCode.DigestInvalid, OciPath.Parse(path).Error?.Code);

    [Theory]
    [InlineData("/v2/x/blobs/uploads/not-an-id")]
    [InlineData("/v2/x/blobs/uploads/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("/v2/x/blobs/uploads/0123456789abcdef0123456789abcde")]
    [InlineData("/v2/x/blobs/uploads/..")]
    public void Malformed_upload_ids_are_unknown_uploads(string path) =>
        Assert.Equal(ErrorCode.BlobUploadUnknown, OciPath.Parse(path).Error?.Code);

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/v1/")]
    [InlineData("/V2/")]
    [InlineData("/v2x")]
    [InlineData("/v22/_catalog")]
    [InlineData("/v2/_catalog/")]
    [InlineData("/v2/_catalog/x")]
    [InlineData("/v2/a")]
    [InlineData("/v2/a/")]
    [InlineData("/v2/a/b")]
    [InlineData("/v2/a/tags")]
    [InlineData("/v2/a/tags/list/")]
    [InlineData("/v2/a/tags/lists")]
    [InlineData("/v2/tags/list")]
    [InlineData("/v2/a/manifest/latest")]
    [InlineData("/v2/a/blob/" + D256)]
    [InlineData("/v2/a/uploads/" + Upload)]
    [InlineData("/v2/x/blobs/uploads/" + Upload + "/")]
    [InlineData("/v2/x/blobs/uploads/" + Upload + "/extra")]
    [InlineData("/v2/a/manifests/latest/extra")]
    [InlineData("/v2/a/referrers")]
    [InlineData("/v2/../etc/passwd")]
    public void Unknown_suffixes_are_unknown_endpoints(string path) =>
        Assert.Equal(ErrorCode.UnknownEndpoint, OciPath.Parse(path).Error?.Code);

    [Fact]
    public void Successful_parse_has_no_error_and_failed_parse_has_a_default_route()
    {
        var failed = OciPath.Parse("/v2/A/tags/list");
        Assert.NotNull(failed.Error);
        Assert.Equal(default, failed.Route);
    }
}
