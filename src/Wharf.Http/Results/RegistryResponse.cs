using Microsoft.AspNetCore.Http;

namespace Wharf.Http.Results;

/// <summary>A bodiless success answer with registry headers (201 Created, 202 Accepted, 204 No Content).</summary>
public sealed class RegistryResponse(int status, IReadOnlyList<KeyValuePair<string, string>> headers) : IResult
{
    public int Status { get; } = status;

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; } = headers;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = name == "Location" ? Absolute(httpContext.Request, value) : value;
        }

        response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>
    /// A path made absolute with the scheme and host the client used (see <c>PublicAddressMiddleware</c>): the spec
    /// allows relative <c>Location</c>s, but Distribution always sends absolute ones and some clients cannot push without.
    /// </summary>
    public static string Absolute(HttpRequest request, string location) =>
        location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal) ? $"{request.Scheme}://{request.Host}{location}" : location;

    public static RegistryResponse Created(params KeyValuePair<string, string>[] headers) => new(StatusCodes.Status201Created, headers);

    public static RegistryResponse Accepted(params KeyValuePair<string, string>[] headers) => new(StatusCodes.Status202Accepted, headers);

    public static RegistryResponse NoContent(params KeyValuePair<string, string>[] headers) => new(StatusCodes.Status204NoContent, headers);

    public static RegistryResponse Ok(params KeyValuePair<string, string>[] headers) => new(StatusCodes.Status200OK, headers);
}

/// <summary>Shorthands for the headers registry responses carry.</summary>
public static class RegistryHeaders
{
    public static KeyValuePair<string, string> Location(string value) => new("Location", value);

    public static KeyValuePair<string, string> ContentDigest(string digest) => new("Docker-Content-Digest", digest);

    public static KeyValuePair<string, string> UploadUuid(string id) => new("Docker-Upload-UUID", id);

    /// <summary>The inclusive range of bytes an upload holds; <c>0-0</c> for an empty upload, as clients expect.</summary>
    public static KeyValuePair<string, string> UploadRange(long size) => new("Range", $"0-{Math.Max(0, size - 1)}");
}
