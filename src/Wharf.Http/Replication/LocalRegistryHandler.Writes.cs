using System.Net;
using System.Web;
using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Http.Results;

namespace Wharf.Http.Replication;

/// <summary>
/// The writes a <see cref="Wharf.Client.ImageCopier"/> makes into this registry, served in process: a mount
/// (<c>POST …/blobs/uploads/?mount=&amp;from=</c>), a blob in one streamed <c>PUT</c> after an empty <c>POST</c> (the client is
/// given a chunk size no blob reaches, so no <c>PATCH</c> comes), and manifests (<c>PUT …/manifests/REF</c>), through
/// the same services, quotas and checks as a push. Errors come out in the registry's error envelope, as over HTTP.
/// </summary>
public sealed partial class LocalRegistryHandler
{
    /// <summary>Where the client is sent to put a blob; no session is opened until the blob arrives in one piece.</summary>
    private const string Upload = "/blobs/uploads/";

    private async Task<HttpResponseMessage> WriteAsync(UploadService uploads, HttpRequestMessage request, string rest, CancellationToken cancellationToken)
    {
        var query = HttpUtility.ParseQueryString(request.RequestUri?.Query ?? "");
        var at = rest.LastIndexOf(Upload, StringComparison.Ordinal);
        if (at > 0)
        {
            var repository = rest[..at];
            if (request.Method == HttpMethod.Post)
            {
                return await StartAsync(uploads, repository, query["mount"], query["from"], cancellationToken);
            }

            if (request.Method == HttpMethod.Put && Digest.TryParse(query["digest"], out var digest) && request.Content is { } body)
            {
                await using var content = await body.ReadAsStreamAsync(cancellationToken);
                var stored = await uploads.PutMonolithicAsync(repository, digest, content, cancellationToken, body.Headers.ContentLength);
                return stored.IsOk ? Created(digest.Value) : await ErrorAsync(stored.Error!);
            }

            return request.Method == HttpMethod.Delete
                ? new HttpResponseMessage(HttpStatusCode.NoContent) { Content = new ByteArrayContent([]) }
                : await ErrorAsync(new RegistryError(ErrorCode.BlobUploadInvalid, "in-process uploads take the whole blob in one PUT"));
        }

        at = rest.LastIndexOf("/manifests/", StringComparison.Ordinal);
        if (at > 0 && request.Method == HttpMethod.Put && request.Content is { } manifest)
        {
            var payload = await manifest.ReadAsByteArrayAsync(cancellationToken);
            var pushed = await manifests.PutAsync(rest[..at], Uri.UnescapeDataString(rest[(at + "/manifests/".Length)..]), payload,
                manifest.Headers.ContentType?.MediaType, cancellationToken);
            return pushed.IsOk ? Created(pushed.Value.Digest.Value) : await ErrorAsync(pushed.Error!);
        }

        return NotFound();
    }

    private static async Task<HttpResponseMessage> StartAsync(UploadService uploads, string repository, string? mount, string? from, CancellationToken cancellationToken)
    {
        if (Digest.TryParse(mount, out var digest))
        {
            var mounted = await uploads.MountAsync(repository, digest, from, cancellationToken);
            if (!mounted.IsOk)
            {
                return await ErrorAsync(mounted.Error!);
            }

            if (mounted.Value is not null)
            {
                return Created(digest.Value);
            }
        }

        var response = new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new ByteArrayContent([]) };
        response.Headers.Location = new Uri($"/v2/{repository}{Upload}{Guid.NewGuid():N}", UriKind.Relative);
        return response;
    }

    private static HttpResponseMessage Created(string digest)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Created) { Content = new ByteArrayContent([]) };
        response.Headers.Add("Docker-Content-Digest", digest);
        return response;
    }

    /// <summary>The error as the registry would answer it over HTTP: the one envelope writer, run against a response in memory.</summary>
    private static async Task<HttpResponseMessage> ErrorAsync(RegistryError error)
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await new ErrorResult(error).ExecuteAsync(context);
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode) { Content = content };
    }
}
