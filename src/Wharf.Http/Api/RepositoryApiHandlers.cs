using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Http.Results;

namespace Wharf.Http.Api;

/// <summary>
/// <c>GET /api/repositories</c> (list and search), <c>GET /api/repository/{name}</c> and <c>PUT /api/repository/{name}</c>
/// (description and README). Thin: parameters in, <see cref="RepositoryService"/> does the work.
/// </summary>
public sealed class RepositoryApiHandlers(RepositoryService repositories)
{
    public const int MaxPerPage = 100;
    public const int MaxQueryLength = 256;

    // A body holds at most a 300-character description and a 64 KiB README; JSON escaping may grow them up to
    // six times (\uXXXX), so this leaves room without reading an unbounded body.
    private const int MaxBody = 512 * 1024;

    public async Task<IResult> ListAsync(HttpContext context)
    {
        var request = context.Request;
        var text = ApiQuery.Text(request, "q") ?? "";
        var page = ApiQuery.Integer(request, "page", 1, 1, int.MaxValue);
        var perPage = ApiQuery.Integer(request, "perPage", 25, 1, MaxPerPage);
        var sort = ParseSort(ApiQuery.Text(request, "sort"), ApiQuery.Text(request, "order"), !string.IsNullOrWhiteSpace(text));
        if (ApiQuery.SearchTextError(text, MaxQueryLength) is { } invalid)
        {
            return new ErrorResult(invalid);
        }

        if ((page.Error ?? perPage.Error ?? sort.Error) is { } error)
        {
            return new ErrorResult(error);
        }

        var query = new RepositoryQuery(text, sort.Value.Sort, sort.Value.Reverse);
        var found = await repositories.ListAsync(query, page.Value, perPage.Value, ApiAccess.PullFilter(context), context.RequestAborted);
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("query", text);
            json.WriteNumber("page", page.Value);
            json.WriteNumber("perPage", perPage.Value);
            json.WriteNumber("total", found.Total);
            json.WriteStartArray("repositories");
            foreach (var summary in found.Items)
            {
                RepositoryJson.WriteSummary(json, summary);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    public async Task<IResult> GetAsync(HttpContext context, string name)
    {
        if (!RepositoryName.IsValid(name))
        {
            return new ErrorResult(ErrorCode.NameInvalid);
        }

        if (ApiAccess.Refusal(context, name, AccessActions.Pull) is { } refusal)
        {
            return refusal;
        }

        var details = await repositories.GetAsync(name, context.RequestAborted);
        return details is null ? new ErrorResult(ErrorCode.NameUnknown) : Details(context, details);
    }

    public async Task<IResult> PutAsync(HttpContext context, string name)
    {
        if (!RepositoryName.IsValid(name))
        {
            return new ErrorResult(ErrorCode.NameInvalid);
        }

        if (ApiAccess.Refusal(context, name, AccessActions.Pull | AccessActions.Push) is { } refusal)
        {
            return refusal;
        }

        var body = await ReadBodyAsync(context);
        if (!body.IsOk)
        {
            return new ErrorResult(body.Error!);
        }

        var described = await repositories.DescribeAsync(name, body.Value.Description, body.Value.Readme, context.RequestAborted);
        return described.IsOk ? Details(context, described.Value) : new ErrorResult(described.Error!);
    }

    private static JsonBodyResult Details(HttpContext context, RepositoryDetails details)
    {
        var allowed = ApiAccess.Allowed(context, details.Summary.Name);
        return new JsonBodyResult("application/json", json => RepositoryJson.WriteDetails(json, details, allowed));
    }

    /// <summary>sort=relevance|name|pushed|pulls and order=asc|desc; relevance is the default with a query, name without.</summary>
    private static Result<(RepositorySort Sort, bool Reverse)> ParseSort(string? sort, string? order, bool hasQuery)
    {
        RepositorySort? parsed = sort switch
        {
            null or "" => hasQuery ? RepositorySort.Relevance : RepositorySort.Name,
            "relevance" => RepositorySort.Relevance,
            "name" => RepositorySort.Name,
            "pushed" => RepositorySort.Pushed,
            "pulls" => RepositorySort.Pulls,
            _ => null,
        };
        if (parsed is not { } value)
        {
            return Error("sort must be relevance, name, pushed or pulls");
        }

        // Each sort has a natural direction (names A to Z, newest and most pulled first); the other one reverses it.
        var natural = value == RepositorySort.Name ? "asc" : "desc";
        return order switch
        {
            null or "" => (value, false),
            "asc" or "desc" => (value, order != natural && value != RepositorySort.Relevance),
            _ => Error("order must be asc or desc"),
        };
    }

    private static async Task<Result<(string? Description, string? Readme)>> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is > MaxBody)
        {
            return Error($"the body is limited to {MaxBody} bytes");
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBody)
            {
                return Error($"the body is limited to {MaxBody} bytes");
            }
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Error("expected a JSON object {\"description\"?: string, \"readme\"?: string}");
            }

            string? description = null, readme = null;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("description" or "readme"))
                {
                    continue; // Other fields (a whole repository object sent back, say) change nothing.
                }

                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => "", // null clears
                    _ => null,
                };
                if (value is null)
                {
                    return Error($"{property.Name} must be a string");
                }

                if (property.Name == "description")
                {
                    description = value;
                }
                else
                {
                    readme = value;
                }
            }

            return (description, readme);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Error("the body is not valid JSON text");
        }
    }

    private static RegistryError Error(string message) => new(ErrorCode.ApiRequestInvalid, message);

    private static ErrorResult Invalid(string message) => new(Error(message));
}
