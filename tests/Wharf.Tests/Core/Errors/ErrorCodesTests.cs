using Wharf.Core.Errors;

namespace Wharf.Tests.Core.Errors;

public sealed class ErrorCodesTests
{
    /// <summary>The error codes of the OCI Distribution Spec v1.1, plus Docker's TAG_INVALID, UNAVAILABLE and UNKNOWN.</summary>
    private static readonly HashSet<string> SpecCodes =
    [
        "BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN",
        "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED",
        "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS",
        "TAG_INVALID", "UNAVAILABLE", "UNKNOWN",
    ];

    public static TheoryData<ErrorCode> AllCodes()
    {
        var data = new TheoryData<ErrorCode>();
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            data.Add(code);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public void Every_code_has_a_wire_code_status_and_message(ErrorCode code)
    {
        var info = code.Describe();
        Assert.False(string.IsNullOrEmpty(info.Code));
        Assert.Contains(info.Code, SpecCodes);
        Assert.InRange(info.Status, 400, 599);
        Assert.False(string.IsNullOrWhiteSpace(info.Message));
    }

    [Theory]
    [InlineData(ErrorCode.BlobUnknown, "BLOB_UNKNOWN", 404)]
    [InlineData(ErrorCode.BlobUploadInvalid, "BLOB_UPLOAD_INVALID", 400)]
    [InlineData(ErrorCode.BlobUploadUnknown, "BLOB_UPLOAD_UNKNOWN", 404)]
    [InlineData(ErrorCode.DigestInvalid, "DIGEST_INVALID", 400)]
    [InlineData(ErrorCode.ManifestBlobUnknown, "MANIFEST_BLOB_UNKNOWN", 400)]
    [InlineData(ErrorCode.ManifestInvalid, "MANIFEST_INVALID", 400)]
    [InlineData(ErrorCode.ManifestUnknown, "MANIFEST_UNKNOWN", 404)]
    [InlineData(ErrorCode.NameInvalid, "NAME_INVALID", 400)]
    [InlineData(ErrorCode.NameUnknown, "NAME_UNKNOWN", 404)]
    [InlineData(ErrorCode.SizeInvalid, "SIZE_INVALID", 400)]
    [InlineData(ErrorCode.Unauthorized, "UNAUTHORIZED", 401)]
    [InlineData(ErrorCode.Denied, "DENIED", 403)]
    [InlineData(ErrorCode.TooManyRequests, "TOOMANYREQUESTS", 429)]
    [InlineData(ErrorCode.RangeInvalid, "BLOB_UPLOAD_INVALID", 416)]
    [InlineData(ErrorCode.RangeNotSatisfiable, "SIZE_INVALID", 416)]
    [InlineData(ErrorCode.ManifestChildUnknown, "MANIFEST_UNKNOWN", 400)]
    [InlineData(ErrorCode.Unavailable, "UNAVAILABLE", 503)]
    [InlineData(ErrorCode.StorageFull, "UNAVAILABLE", 507)]
    [InlineData(ErrorCode.ManifestTooLarge, "SIZE_INVALID", 413)]
    [InlineData(ErrorCode.MethodNotAllowed, "UNSUPPORTED", 405)]
    [InlineData(ErrorCode.Unknown, "UNKNOWN", 500)]
    [InlineData(ErrorCode.TagMoved, "MANIFEST_UNKNOWN", 409)]
    [InlineData(ErrorCode.UpstreamUnavailable, "UNAVAILABLE", 502)]
    public void Spec_codes_map_to_the_spec_statuses(ErrorCode code, string wire, int status)
    {
        var info = code.Describe();
        Assert.Equal(wire, info.Code);
        Assert.Equal(status, info.Status);
    }

    [Fact]
    public void Only_server_side_codes_have_5xx_statuses()
    {
        var serverSide = Enum.GetValues<ErrorCode>().Where(c => c.Describe().Status >= 500).ToHashSet();
        Assert.Equal(new HashSet<ErrorCode> { ErrorCode.Unavailable, ErrorCode.StorageFull, ErrorCode.UpstreamUnavailable, ErrorCode.Unknown }, serverSide);
    }

    [Fact]
    public void Registry_error_without_message_uses_the_default_message()
    {
        RegistryError error = ErrorCode.BlobUnknown;
        Assert.Equal(ErrorCode.BlobUnknown.Describe().Message, error.EffectiveMessage);
        Assert.Equal("custom", new RegistryError(ErrorCode.BlobUnknown, "custom").EffectiveMessage);
    }

    [Fact]
    public void Result_with_an_error_refuses_to_give_a_value()
    {
        Result<int> result = ErrorCode.NameUnknown;
        Assert.False(result.IsOk);
        Assert.Equal(ErrorCode.NameUnknown, result.Error!.Code);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }
}
