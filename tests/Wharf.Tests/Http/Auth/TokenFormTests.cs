using System.Text;
using Microsoft.AspNetCore.Http;
using Wharf.Http.Auth;

namespace Wharf.Tests.Http.Auth;

public sealed class TokenFormTests
{
    /// <summary>Found by fuzzing: the reason a malformed form was refused quoted the body, password included, into the log.</summary>
    [Fact]
    public async Task The_reason_a_form_is_refused_does_not_quote_the_body()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "multipart/form-data; boundary=b";
        context.Request.Body = new MemoryStream(Encoding.ASCII.GetBytes(
            "--b\r\nContent-Disposition: form-data; name=\"password\" password=hunter2&grant_type=password\r\n\r\nx\r\n--b--\r\n"));

        var (form, problem) = await TokenForm.ReadAsync(context);

        Assert.Null(form);
        Assert.StartsWith("Form section has invalid Content-Disposition value", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }
}
