using Wharf.Http.Middleware;

namespace Wharf.Tests.Http.Middleware;

public sealed class RequestIdAndLogTextTests
{
    [Theory]
    [InlineData("abc-123")]
    [InlineData("!~")]
    [InlineData("a")]
    public void A_sane_request_id_is_taken(string id) => Assert.Equal(id, RequestIdMiddleware.Accept(id));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("line\nbreak")]
    [InlineData("carriage\rreturn")]
    [InlineData("del\u007f")]
    [InlineData("caf\u00e9")]
    [InlineData("nul\0")]
    public void An_insane_request_id_is_refused(string id) => Assert.Null(RequestIdMiddleware.Accept(id));

    [Fact]
    public void A_request_id_of_128_characters_is_taken_and_of_129_refused()
    {
        Assert.NotNull(RequestIdMiddleware.Accept(new string('x', 128)));
        Assert.Null(RequestIdMiddleware.Accept(new string('x', 129)));
    }

    [Fact]
    public void Generated_ids_are_16_hex_digits_and_differ() =>
        Assert.Equal(1000, Enumerable.Range(0, 1000).Select(_ => RequestIdMiddleware.NewId()).Where(id => id.Length == 16 && id.All(Uri.IsHexDigit)).Distinct().Count());

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("/v2/team/app/manifests/v1", "/v2/team/app/manifests/v1")]
    [InlineData("a\r\nfake line", "a\\x0D\\x0Afake line")]
    [InlineData("esc\u001b[31m", "esc\\x1B[31m")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("nel\u0085 ls\u2028", "nel\\x85 ls\\u2028")]
    [InlineData("caf\u00e9", "caf\u00e9")]
    public void Log_text_escapes_control_characters_so_a_value_stays_on_one_line(string value, string logged)
    {
        var escaped = LogText.Escape(value);

        Assert.Equal(logged, escaped);
        Assert.DoesNotContain(escaped, c => char.IsControl(c) || c is '\u2028' or '\u2029');
    }
}
