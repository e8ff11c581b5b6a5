using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Wharf.Http.Results;

/// <summary>A 200 JSON answer written with <see cref="Utf8JsonWriter"/>, with optional extra headers.</summary>
public sealed class JsonBodyResult(string contentType, Action<Utf8JsonWriter> write, params KeyValuePair<string, string>[] headers) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        await using (var json = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            write(json);
        }

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = buffer.WrittenCount;
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }

        if (!HttpMethods.IsHead(httpContext.Request.Method))
        {
            await response.Body.WriteAsync(buffer.WrittenMemory, httpContext.RequestAborted);
        }
    }
}
