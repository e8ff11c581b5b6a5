using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Wharf.Auth;
using Wharf.FuzzTests.Harness;
using Wharf.TestKit;

namespace Wharf.FuzzTests;

/// <summary>
/// The JWT shape check and token validator: random strings, random dot-separated segments, real headers with garbage,
/// JWE shapes and mutated real tokens are refused (null), never thrown; a token is accepted only when its header and
/// payload are those of a token Wharf issued.
/// </summary>
public sealed class TokenValidatorFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly Bounded.Allowance Allowance = new(512 * 1024, 256);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _keys = new("wharf-fuzz-keys");

    public void Dispose() => _keys.Dispose();

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task Any_token_text_is_refused_unless_wharf_issued_it(string algorithm)
    {
        var options = new AuthOptions { Mode = AuthMode.Token, Token = new TokenOptions { Algorithm = algorithm } };
        var keys = SigningKeys.LoadOrCreate(Path.Combine(_keys.Path, algorithm), algorithm);
        var issuer = new TokenIssuer(options, keys, new AccessPolicy(options), _time);
        var validator = new TokenValidator(options, keys, _time);
        var alice = new Principal("alice", []);
        var issued = issuer.Issue(alice, issuer.Grant(alice, Scope.ParseAll(["repository:alice/app:pull,push"])), offline: true);
        string[] genuine = [issued.AccessToken, issued.RefreshToken!];

        var run = new FuzzRun(output, "jwt");
        var seeds = run.Seeds.Concat(genuine.Select(Encoding.ASCII.GetBytes)).ToList();
        var texts = Gen.Frequency(
            (4, Mutations.SeededOrRandom(seeds, JwtTokens.Pieces, 20 * 1024).Select(b => Encoding.Latin1.GetString(b))),
            (2, Segment(genuine).Array[1, 7].Select(parts => string.Join('.', parts))),
            (1, Gen.Select(Gen.OneOf([.. genuine]), Segment(genuine), Gen.Int[0, 2], Replace)));
        await run.CheckAsync(texts, CorpusText.Of, text => Check(validator, genuine, text), FuzzSettings.IterationsFor(2), Bounded.Show);
    }

    /// <summary>One JWT segment: a header or payload of interest, a genuine token's part, random base64url or random text.</summary>
    private static Gen<string> Segment(string[] genuine) => Gen.Frequency(
        (2, Gen.OneOf([.. JwtTokens.Headers, .. JwtTokens.Payloads]).Select(Base64UrlEncoder.Encode)),
        (2, Gen.OneOf([.. genuine.SelectMany(t => t.Split('.'))])),
        (2, Gen.Byte.Array[0, 300].Select(b => Base64UrlEncoder.Encode(b))),
        (1, Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ "], 0, 80]),
        (1, Gen.Const("")));

    private static string Replace(string token, string segment, int index)
    {
        var parts = token.Split('.');
        parts[index] = segment;
        return string.Join('.', parts);
    }

    private static async Task Check(TokenValidator validator, string[] genuine, string text)
    {
        var shown = Bounded.Show(text);
        var access = await Bounded.RunAsync("jwt access", shown, text.Length, Allowance, async () => await validator.ValidateAccessAsync(text) is not null);
        var refresh = await Bounded.RunAsync("jwt refresh", shown, text.Length, Allowance, async () => await validator.ValidateRefreshAsync(text) is not null);
        var session = await Bounded.RunAsync("jwt session", shown, text.Length, Allowance, async () => await validator.ValidateSessionAsync(text) is not null);
        if ((access || refresh || session) && !genuine.Any(g => SameClaims(g, text)))
        {
            throw new FuzzFailure($"jwt: {shown} was accepted (access {access}, refresh {refresh}, session {session}) but Wharf never issued its claims");
        }
    }

    /// <summary>Whether two compact JWTs carry the same header and payload bytes (base64url can spell the same bytes in more than one way).</summary>
    private static bool SameClaims(string issued, string presented)
    {
        var a = issued.Split('.');
        var b = presented.Split('.');
        return b.Length == 3 && Decodes(b[0], out var header) && Decodes(b[1], out var payload)
            && header.AsSpan().SequenceEqual(Base64UrlEncoder.DecodeBytes(a[0])) && payload.AsSpan().SequenceEqual(Base64UrlEncoder.DecodeBytes(a[1]));
    }

    private static bool Decodes(string segment, out byte[] bytes)
    {
        try
        {
            bytes = Base64UrlEncoder.DecodeBytes(segment);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
