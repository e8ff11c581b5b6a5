using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;
using Wharf.Http.Results;

namespace Wharf.Tests.Http.Results;

public sealed class ErrorResultTests
{
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
    public async Task Writes_the_envelope_with_the_code_status(ErrorCode code)
    {
        var (context, body) = await ExecuteAsync(new RegistryError(code));

        var info = code.Describe();
        Assert.Equal(info.Status, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(body.Length, context.Response.ContentLength);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.Equal(["errors"], root.EnumerateObject().Select(p => p.Name));
        var error = Assert.Single(root.GetProperty("errors").EnumerateArray());
        Assert.Equal(["code", "message"], error.EnumerateObject().Select(p => p.Name));
        Assert.Equal(info.Code, error.GetProperty("code").GetString());
        Assert.Equal(info.Message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Custom_message_and_detail_are_written()
    {
        var (context, body) = await ExecuteAsync(new RegistryError(ErrorCode.BlobUploadInvalid, "chunk out of order", new { Expected = 10, Range = "0-9" }));

        Assert.Equal(400, context.Response.StatusCode);
        using var doc = JsonDocument.Parse(body);
        var error = doc.RootElement.GetProperty("errors")[0];
        Assert.Equal("BLOB_UPLOAD_INVALID", error.GetProperty("code").GetString());
        Assert.Equal("chunk out of order", error.GetProperty("message").GetString());
        var detail = error.GetProperty("detail");
        Assert.Equal(10, detail.GetProperty("Expected").GetInt32());
        Assert.Equal("0-9", detail.GetProperty("Range").GetString());
    }

    [Fact]
    public async Task Message_with_quotes_and_control_characters_stays_valid_json()
    {
        var (_, body) = await ExecuteAsync(new RegistryError(ErrorCode.NameInvalid, "bad \"name\"\n\u0001<script>"));

        using var doc = JsonDocument.Parse(body);
        Assert.Equal("bad \"name\"\n\u0001<script>", doc.RootElement.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Carries_the_distribution_api_version_header()
    {
        var (context, _) = await ExecuteAsync(new RegistryError(ErrorCode.ManifestUnknown));
        Assert.Equal("registry/2.0", context.Response.Headers["Docker-Distribution-API-Version"].ToString());
    }

    [Fact]
    public async Task Head_request_gets_status_and_length_but_no_body()
    {
        var (context, body) = await ExecuteAsync(new RegistryError(ErrorCode.BlobUnknown), HttpMethods.Head);

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Empty(body);
        Assert.True(context.Response.ContentLength > 0);
    }

    private static async Task<(HttpContext Context, byte[] Body)> ExecuteAsync(RegistryError error, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        using var stream = new MemoryStream();
        context.Response.Body = stream;
        await new ErrorResult(error).ExecuteAsync(context);
        return (context, stream.ToArray());
    }
}
