using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Wharf.FuzzTests.Harness;
using Wharf.Http.Auth;

namespace Wharf.FuzzTests;

/// <summary>
/// The Basic and Bearer <c>Authorization</c> readers: any header value is credentials or nothing, never an exception;
/// Basic credentials read back exactly as they were encoded.
/// </summary>
public sealed class AuthorizationHeaderFuzzTests(ITestOutputHelper output)
{
    private static readonly Bounded.Allowance Allowance = new(8 * 1024, 16);

    private static readonly Gen<string> Text = Gen.Char[' ', '\uD7FF'].Array[0, 40].Select(chars => new string(chars));

    [Fact]
    public void Any_authorization_header_is_credentials_or_nothing()
    {
        var run = new FuzzRun(output, "authorization");
        var headers = Gen.Frequency(
            (4, Mutations.SeededOrRandom(run.Seeds, HeaderTokens.Authorization, 20 * 1024).Select(b => Encoding.Latin1.GetString(b))),
            (1, Gen.Select(Text, Gen.OneOf("Basic ", "basic ", "BASIC  ", "Bearer ", "Basic\t"),
                (text, scheme) => scheme + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)))),
            (1, Gen.Int[8000, 20000].Select(n => "Basic " + new string('A', n))));
        run.Check(headers, file => Encoding.Latin1.GetString(file.Bytes), Check, FuzzSettings.Iterations, Bounded.Show);
    }

    [Fact]
    public void Basic_credentials_read_back_as_they_were_encoded()
    {
        var run = new FuzzRun(output, "authorization");
        var credentials = Gen.Select(Text.Where(u => u.Length > 0 && !u.Contains(':', StringComparison.Ordinal)), Text);
        run.Check(credentials, _ => ("alice", "S3cret!"), pair =>
        {
            var header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair.Item1 + ":" + pair.Item2));
            if (header.Length > 8192)
            {
                return;
            }

            var (read, username, password) = Read(header);
            if (!read || username != pair.Item1 || password != pair.Item2)
            {
                throw new FuzzFailure($"authorization: {Bounded.Show(pair.Item1)}:{Bounded.Show(pair.Item2)} read back as {read} {Bounded.Show(username)}:{Bounded.Show(password)}");
            }
        }, FuzzSettings.Iterations, pair => $"{Bounded.Show(pair.Item1)}:{Bounded.Show(pair.Item2)}");
    }

    private static void Check(string header)
    {
        var (read, username, _) = Bounded.Run("authorization basic", Bounded.Show(header), header.Length, Allowance, () => Read(header));
        if (read && (username.Length == 0 || username.Contains(':', StringComparison.Ordinal)))
        {
            throw new FuzzFailure($"authorization: {Bounded.Show(header)} read as user {Bounded.Show(username)}");
        }

        var bearer = Bounded.Run("authorization bearer", Bounded.Show(header), header.Length, Allowance, () => AuthorizationHeader.ReadBearer(Request(header)));
        if (bearer is not null && (bearer != bearer.Trim() || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)))
        {
            throw new FuzzFailure($"authorization: {Bounded.Show(header)} read as bearer {Bounded.Show(bearer)}");
        }
    }

    private static (bool Read, string Username, string Password) Read(string header) =>
        AuthorizationHeader.TryReadBasic(Request(header), out var username, out var password) ? (true, username, password) : (false, username, password);

    private static HttpRequest Request(string header)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = header;
        return context.Request;
    }
}
