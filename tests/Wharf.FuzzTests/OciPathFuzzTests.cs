using System.Text;
using CsCheck;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.FuzzTests.Harness;
using Wharf.Http.Routing;

namespace Wharf.FuzzTests;

/// <summary>
/// The /v2/ path parser: any raw path yields a route or one of the path errors; a route's parts satisfy their grammars,
/// and printing the route again gives back the path it came from.
/// </summary>
public sealed class OciPathFuzzTests(ITestOutputHelper output)
{
    private static readonly ErrorCode[] PathErrors =
        [ErrorCode.UnknownEndpoint, ErrorCode.NameInvalid, ErrorCode.TagInvalid, ErrorCode.DigestInvalid, ErrorCode.BlobUploadUnknown];

    private static readonly Bounded.Allowance Allowance = new(4 * 1024, 8);

    [Fact]
    public void Any_path_is_a_route_that_prints_back_or_a_path_error()
    {
        var run = new FuzzRun(output, "oci-path");
        var paths = Mutations.SeededOrRandom(run.Seeds, Tokens.Path, 4096).Select(b => Encoding.UTF8.GetString(b));
        run.Check(paths, CorpusText.Of, Check, FuzzSettings.Iterations, Bounded.Show);
    }

    [Fact]
    public void Any_digest_text_parses_to_itself_or_not_at_all()
    {
        var run = new FuzzRun(output, "digest");
        var texts = Mutations.SeededOrRandom(run.Seeds, Tokens.Path, 512).Select(b => Encoding.UTF8.GetString(b));
        run.Check(texts, CorpusText.Of, text =>
        {
            var parsed = Bounded.Run("digest", Bounded.Show(text), text.Length, Allowance, () => Digest.TryParse(text, out var d) ? d : null);
            if (parsed is not null && (parsed.Value != text || parsed.Encoded.Length != (parsed.Algorithm == Digest.Sha256 ? 64 : 128)))
            {
                throw new FuzzFailure($"digest: {Bounded.Show(text)} parsed to {parsed.Value}");
            }
        }, FuzzSettings.Iterations, Bounded.Show);
    }

    private static void Check(string path)
    {
        var result = Bounded.Run("oci-path", Bounded.Show(path), path.Length, Allowance, () => OciPath.Parse(path));
        if (result.Error is { } error)
        {
            if (!PathErrors.Contains(error.Code))
            {
                throw new FuzzFailure($"oci-path: {Bounded.Show(path)} failed with {error.Code}, not a path error");
            }

            return;
        }

        var route = result.Route;
        var grammar = route.Kind switch
        {
            OciRouteKind.Base or OciRouteKind.Catalog => route.Name.Length == 0,
            OciRouteKind.TagList or OciRouteKind.UploadStart => RepositoryName.IsValid(route.Name),
            OciRouteKind.Manifest => RepositoryName.IsValid(route.Name)
                && (Digest.TryParse(route.Reference, out _) || (!route.Reference.Contains(':', StringComparison.Ordinal) && TagName.IsValid(route.Reference))),
            OciRouteKind.Blob or OciRouteKind.Referrers => RepositoryName.IsValid(route.Name) && Digest.TryParse(route.Reference, out _),
            OciRouteKind.Upload => RepositoryName.IsValid(route.Name) && UploadId.IsValid(route.Reference),
            _ => false,
        };
        if (!grammar)
        {
            throw new FuzzFailure($"oci-path: {Bounded.Show(path)} gave {route}, whose parts break their grammar");
        }

        if (!Printed(route).Contains(path))
        {
            throw new FuzzFailure($"oci-path: {Bounded.Show(path)} gave {route}, which prints as {string.Join(" or ", Printed(route))}");
        }
    }

    /// <summary>The raw paths that name <paramref name="route"/>.</summary>
    private static string[] Printed(OciRoute route) => route.Kind switch
    {
        OciRouteKind.Base => ["/v2", "/v2/"],
        OciRouteKind.Catalog => ["/v2/_catalog"],
        OciRouteKind.TagList => [$"/v2/{route.Name}/tags/list"],
        OciRouteKind.UploadStart => [$"/v2/{route.Name}/blobs/uploads", $"/v2/{route.Name}/blobs/uploads/"],
        OciRouteKind.Upload => [$"/v2/{route.Name}/blobs/uploads/{route.Reference}"],
        OciRouteKind.Manifest => [$"/v2/{route.Name}/manifests/{route.Reference}"],
        OciRouteKind.Blob => [$"/v2/{route.Name}/blobs/{route.Reference}"],
        OciRouteKind.Referrers => [$"/v2/{route.Name}/referrers/{route.Reference}"],
        _ => [],
    };
}
