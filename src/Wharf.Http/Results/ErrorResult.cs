using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;

namespace Wharf.Http.Results;

/// <summary>
/// The one place an error reaches the wire: the spec's <c>{"errors":[…]}</c> envelope, with the HTTP status
/// that <see cref="ErrorCodes"/> assigns to the code.
/// </summary>
public sealed class ErrorResult(RegistryError error) : IResult
{
    public RegistryError Error { get; } = error;

    /// <summary>Headers that belong to this error, such as <c>WWW-Authenticate</c> or <c>Retry-After</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (response.HasStarted)
        {
            return;
        }

        var info = Error.Code.Describe();
        response.StatusCode = info.Status;
        response.ContentType = "application/json";
        response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        foreach (var (name, value) in Headers)
        {
            response.Headers.Append(name, value);
        }

        if (Error.RetryAfter is { } retryAfter && !response.Headers.ContainsKey("Retry-After"))
        {
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var buffer = new MemoryStream(256);
        await using (var json = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("code", info.Code);
            json.WriteString("message", Error.EffectiveMessage);
            if (Error.Detail is not null)
            {
                json.WritePropertyName("detail");
                JsonSerializer.Serialize(json, Error.Detail, Error.Detail.GetType());
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(httpContext.Request.Method))
        {
            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), httpContext.RequestAborted);
        }
    }
}
