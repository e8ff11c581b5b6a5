using Microsoft.AspNetCore.Http;
using Wharf.Core.Audit;
using Wharf.Core.Errors;
using Wharf.Http.Audit;
using Wharf.Core.Services;
using Wharf.Http.Results;

namespace Wharf.Http.Handlers;

/// <summary>GET, HEAD, PUT and DELETE of /v2/&lt;name&gt;/manifests/&lt;reference&gt;.</summary>
public sealed class ManifestHandler(
    ManifestService manifests,
    ManifestOptions options,
    UsageRecorder usage,
    RequestAudit audit,
    Wharf.Http.Webhooks.PullEvents? pullEvents = null,
    Wharf.Core.Mirror.MirrorNames? mirrorNames = null,
    Wharf.Core.Mirror.PullThroughCache? cache = null)
{
    public ValueTask<IResult> HandleAsync(RegistryRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return GetAsync(request);
        }

        if (HttpMethods.IsPut(request.Method))
        {
            return PutAsync(request);
        }

        if (HttpMethods.IsDelete(request.Method))
        {
            return DeleteAsync(request);
        }

        return ValueTask.FromResult<IResult>(new ErrorResult(ErrorCode.MethodNotAllowed));
    }

    private async ValueTask<IResult> GetAsync(RegistryRequest request)
    {
        if (cache is not null && mirrorNames?.Resolve(request.Route.Name) is { } cached)
        {
            return await GetCachedAsync(request, cached, cache);
        }

        var found = await manifests.GetAsync(request.Route.Name, request.Route.Reference, request.Aborted);
        if (!found.IsOk)
        {
            return new ErrorResult(found.Error!);
        }

        if (HttpMethods.IsGet(request.Method))
        {
            usage.RecordPull(request.Route.Name, found.Value.Digest); // In memory; flushed in batches (docs/design/search.md).
            if (pullEvents is not null)
            {
                await pullEvents.RecordAsync(request.Route.Name, request.Route.Reference, found.Value);
            }
        }

        return new ManifestContentResult(found.Value);
    }

    /// <summary>A manifest of a cached repository, from the cache or its upstream; with a Warning when served stale.</summary>
    private static async ValueTask<IResult> GetCachedAsync(RegistryRequest request, Wharf.Core.Mirror.MirroredName name, Wharf.Core.Mirror.PullThroughCache cache)
    {
        var found = await cache.GetManifestAsync(name, request.Route.Reference, request.Aborted);
        if (!found.IsOk)
        {
            return new ErrorResult(found.Error!);
        }

        if (found.Value.Warning is { } warning)
        {
            request.Http.Response.Headers.Warning = warning;
        }

        var manifest = found.Value.Manifest;
        return new ManifestContentResult(new Wharf.Core.Metadata.StoredManifest(manifest.Digest, manifest.MediaType, manifest.Payload, null, null, null));
    }

    private async ValueTask<IResult> PutAsync(RegistryRequest request)
    {
        var body = await ReadBodyAsync(request.Http.Request, options.MaxSize, request.Aborted);
        if (body is null)
        {
            return new ErrorResult(new RegistryError(ErrorCode.ManifestTooLarge, $"manifests are limited to {options.MaxSize} bytes"));
        }

        var name = request.Route.Name;
        var pushed = await manifests.PutAsync(name, request.Route.Reference, body, request.Http.Request.ContentType, request.Aborted);
        if (!pushed.IsOk)
        {
            return new ErrorResult(pushed.Error!);
        }

        usage.RecordPush(name);
        var digest = pushed.Value.Digest.Value;
        var reference = request.Route.Reference;
        await audit.RecordAsync(request.Http, AuditActions.ManifestPush, name, reference, reference == digest ? null : digest);
        var headers = new List<KeyValuePair<string, string>>
        {
            RegistryHeaders.Location($"/v2/{name}/manifests/{digest}"),
            RegistryHeaders.ContentDigest(digest),
        };
        if (pushed.Value.Subject is { } subject)
        {
            headers.Add(new("OCI-Subject", subject.Value));
        }

        return new RegistryResponse(StatusCodes.Status201Created, headers);
    }

    private async ValueTask<IResult> DeleteAsync(RegistryRequest request)
    {
        var deleted = await manifests.DeleteAsync(request.Route.Name, request.Route.Reference, request.Aborted);
        if (!deleted.IsOk)
        {
            return new ErrorResult(deleted.Error!);
        }

        var reference = request.Route.Reference;
        var action = reference.Contains(':', StringComparison.Ordinal) ? AuditActions.ManifestDelete : AuditActions.TagDelete;
        await audit.RecordAsync(request.Http, action, request.Route.Name, reference);
        return RegistryResponse.Accepted();
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is larger.</summary>
    private static async ValueTask<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        if (request.ContentLength == 0)
        {
            return [];
        }

        var buffer = new byte[request.ContentLength is { } known ? (int)known : 16 * 1024];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > limit)
                {
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit + 1L));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (total > limit)
            {
                return null;
            }
        }

        return total == buffer.Length ? buffer : buffer[..total];
    }
}
