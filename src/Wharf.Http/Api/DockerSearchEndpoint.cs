using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Services;
using Wharf.Http.Auth;
using Wharf.Http.Results;

namespace Wharf.Http.Api;

/// <summary>
/// <c>GET /v1/search?q=&amp;n=&amp;page=</c> in the form of Docker Hub's v1 search, which dockerd (<c>docker search</c>)
/// and podman (<c>podman search</c>) call. Results are ranked by relevance and hold only repositories the caller
/// may pull; <c>name</c> is the bare repository name (podman prefixes the registry itself, docker shows it as is).
/// </summary>
/// <remarks>
/// What the clients send (see docs/design/search.md): dockerd 20.10 sends <c>q</c> and <c>n</c> (1–100, default 25),
/// with <c>X-Docker-Token: true</c> and, after <c>docker login</c>, Basic credentials (basic mode) or a Bearer token
/// for scope <c>registry:catalog:search</c> (token mode). podman 4 sends <c>n</c> and <c>q</c> and never credentials;
/// on any answer but 200 it falls back to <c>/v2/_catalog</c>, with credentials, and filters names itself. So when
/// auth is on and nothing is public, an anonymous search answers 401: podman then lists what its user may pull.
/// </remarks>
public sealed class DockerSearchEndpoint(RepositoryService repositories, AuthOptions auth)
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    private readonly bool _anythingPublic = auth.Anonymous.Any(r => AccessActionsText.ParseList(r.Actions).HasFlag(AccessActions.Pull));

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var text = (ApiQuery.Text(request, "q") ?? "").Trim();
        var size = ApiQuery.Integer(request, "n", DefaultPageSize, 0, int.MaxValue);
        var page = ApiQuery.Integer(request, "page", 1, 1, int.MaxValue);
        if ((size.Error ?? page.Error) is { } error)
        {
            return new ErrorResult(error);
        }

        if (ApiQuery.SearchTextError(text, RepositoryApiHandlers.MaxQueryLength) is { } invalid)
        {
            return new ErrorResult(invalid);
        }

        var caller = context.Features.Get<CallerAccess>();
        if (caller is { User: null } && !_anythingPublic)
        {
            return new ErrorResult(ErrorCode.Unauthorized);
        }

        var pageSize = Math.Clamp(size.Value, 1, MaxPageSize);
        var query = new RepositoryQuery(text, RepositorySort.Relevance);
        var found = await repositories.ListAsync(query, page.Value, pageSize, caller is null ? null : caller.MayPull, context.RequestAborted);
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteNumber("num_results", found.Total);
            json.WriteNumber("num_pages", (found.Total + pageSize - 1) / pageSize);
            json.WriteNumber("page", page.Value);
            json.WriteNumber("page_size", pageSize);
            json.WriteString("query", text);
            json.WriteStartArray("results");
            foreach (var repository in found.Items)
            {
                json.WriteStartObject();
                json.WriteString("name", repository.Name);
                json.WriteString("description", repository.Description);
                json.WriteNumber("star_count", 0);
                json.WriteBoolean("is_official", false);
                json.WriteBoolean("is_automated", false);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }
}
