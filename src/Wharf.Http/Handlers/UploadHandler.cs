using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Http.Auth;
using Wharf.Http.Results;
using Wharf.Http.Routing;

namespace Wharf.Http.Handlers;

/// <summary>/v2/&lt;name&gt;/blobs/uploads/[&lt;id&gt;]: starting, mounting, sending, finishing and cancelling uploads.</summary>
public sealed class UploadHandler(UploadService uploads)
{
    public ValueTask<IResult> HandleAsync(RegistryRequest request) => request.Route.Kind switch
    {
        OciRouteKind.UploadStart when HttpMethods.IsPost(request.Method) => StartAsync(request),
        OciRouteKind.Upload when HttpMethods.IsPatch(request.Method) => PatchAsync(request),
        OciRouteKind.Upload when HttpMethods.IsPut(request.Method) => PutAsync(request),
        OciRouteKind.Upload when HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) => StatusAsync(request),
        OciRouteKind.Upload when HttpMethods.IsDelete(request.Method) => CancelAsync(request),
        _ => ValueTask.FromResult<IResult>(new ErrorResult(ErrorCode.MethodNotAllowed)),
    };

    private async ValueTask<IResult> StartAsync(RegistryRequest request)
    {
        var name = request.Route.Name;
        var mount = request.Query("mount");
        if (mount is not null)
        {
            if (!Digest.TryParse(mount, out var mountDigest))
            {
                return new ErrorResult(new RegistryError(ErrorCode.DigestInvalid, $"invalid digest '{mount}'"));
            }

            var from = request.Query("from");
            var mountable = from is null || RepositoryName.IsValid(from);
            if (mountable)
            {
                var mounted = await uploads.MountAsync(name, mountDigest, from, request.Aborted, request.Http.Features.Get<CallerAccess>() is { } caller ? caller.MayPull : null);
                if (!mounted.IsOk)
                {
                    return new ErrorResult(mounted.Error!);
                }

                if (mounted.Value is { } blob)
                {
                    return BlobCreated(name, blob);
                }
            }
        }
        else if (request.Query("digest") is { } digestText)
        {
            if (!Digest.TryParse(digestText, out var digest))
            {
                return new ErrorResult(new RegistryError(ErrorCode.DigestInvalid, $"invalid digest '{digestText}'"));
            }

            var stored = await uploads.PutMonolithicAsync(name, digest, request.Http.Request.Body, request.Aborted, request.Http.Request.ContentLength);
            return stored.IsOk ? BlobCreated(name, stored.Value) : new ErrorResult(stored.Error!);
        }

        if (request.Query("digest-algorithm") is { } algorithm && algorithm is not (Digest.Sha256 or Digest.Sha512))
        {
            return new ErrorResult(new RegistryError(ErrorCode.DigestInvalid, $"unsupported digest algorithm '{algorithm}'; use sha256 or sha512"));
        }

        var session = await uploads.StartAsync(name, request.Aborted);
        return SessionResponse(StatusCodes.Status202Accepted, session);
    }

    private async ValueTask<IResult> PatchAsync(RegistryRequest request)
    {
        var range = ParseRange(request, out var badRange);
        if (badRange)
        {
            return new ErrorResult(new RegistryError(ErrorCode.RangeInvalid, "Content-Range must be 'start-end'"));
        }

        var result = await uploads.AppendAsync(request.Route.Name, request.Route.Reference, request.Http.Request.Body, range, request.Http.Request.ContentLength, request.Aborted);
        return result.IsOk ? SessionResponse(StatusCodes.Status202Accepted, result.Value) : await UploadErrorAsync(request, result.Error!);
    }

    private async ValueTask<IResult> PutAsync(RegistryRequest request)
    {
        var digestText = request.Query("digest");
        if (!Digest.TryParse(digestText, out var digest))
        {
            return new ErrorResult(new RegistryError(ErrorCode.DigestInvalid, digestText is null ? "the digest query parameter is required" : $"invalid digest '{digestText}'"));
        }

        var range = ParseRange(request, out var badRange);
        if (badRange)
        {
            return new ErrorResult(new RegistryError(ErrorCode.RangeInvalid, "Content-Range must be 'start-end'"));
        }

        var result = await uploads.CompleteAsync(request.Route.Name, request.Route.Reference, digest, request.Http.Request.Body, range, request.Http.Request.ContentLength, request.Aborted);
        return result.IsOk ? BlobCreated(request.Route.Name, result.Value) : await UploadErrorAsync(request, result.Error!);
    }

    private async ValueTask<IResult> StatusAsync(RegistryRequest request)
    {
        var result = await uploads.GetAsync(request.Route.Name, request.Route.Reference, request.Aborted);
        return result.IsOk ? SessionResponse(StatusCodes.Status204NoContent, result.Value) : new ErrorResult(result.Error!);
    }

    private async ValueTask<IResult> CancelAsync(RegistryRequest request)
    {
        var result = await uploads.CancelAsync(request.Route.Name, request.Route.Reference, request.Aborted);
        return result.IsOk ? RegistryResponse.NoContent() : new ErrorResult(result.Error!);
    }

    private static ChunkRange? ParseRange(RegistryRequest request, out bool invalid)
    {
        invalid = false;
        string? header = request.Http.Request.Headers.ContentRange;
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        if (ChunkRange.TryParse(header, out var range))
        {
            return range;
        }

        invalid = true;
        return null;
    }

    /// <summary>An out-of-order chunk answers 416 and still tells the client where the upload stands.</summary>
    private async ValueTask<IResult> UploadErrorAsync(RegistryRequest request, RegistryError error)
    {
        if (error.Code == ErrorCode.RangeInvalid
            && await uploads.GetAsync(request.Route.Name, request.Route.Reference, request.Aborted) is { IsOk: true } current)
        {
            foreach (var (header, value) in SessionResponse(0, current.Value).Headers)
            {
                request.Http.Response.Headers[header] = header == "Location" ? RegistryResponse.Absolute(request.Http.Request, value) : value;
            }
        }

        return new ErrorResult(error);
    }

    private static RegistryResponse SessionResponse(int status, UploadSession session) => new(status,
    [
        RegistryHeaders.Location(UploadLocation(session.Repository, session.Id)),
        RegistryHeaders.UploadRange(session.Size),
        RegistryHeaders.UploadUuid(session.Id),
    ]);

    private static RegistryResponse BlobCreated(string name, BlobInfo blob) => RegistryResponse.Created(
        RegistryHeaders.Location($"/v2/{name}/blobs/{blob.Digest.Value}"),
        RegistryHeaders.ContentDigest(blob.Digest.Value));

    private static string UploadLocation(string name, string id) => $"/v2/{name}/blobs/uploads/{id}";
}
