using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Wharf.Http.Auth;

/// <summary>
/// Reads the token service's POST form within limits that fit it (a handful of short fields; a refresh token is at
/// most 16 KiB): a form beyond them, or one that cannot be parsed, is the client's mistake, never a fault.
/// </summary>
internal static class TokenForm
{
    private static readonly FormOptions Limits = new()
    {
        ValueCountLimit = 1024,
        KeyLengthLimit = 256,
        ValueLengthLimit = 32 * 1024,
        MultipartBodyLengthLimit = 64 * 1024,
        MultipartHeadersCountLimit = 8,
        MultipartHeadersLengthLimit = 4 * 1024,
        BufferBody = false,
    };

    /// <summary>The form, or null with the reason when it is malformed or too large.</summary>
    public static async Task<(IFormCollection? Form, string? Problem)> ReadAsync(HttpContext context)
    {
        try
        {
            return (await context.Request.ReadFormAsync(Limits, context.RequestAborted), null);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            return (null, WithoutEcho(e.Message));
        }
    }

    /// <summary>
    /// The reader's reason up to its first colon: some reasons go on to quote the body, which may hold a password, and
    /// the reason is logged.
    /// </summary>
    private static string WithoutEcho(string message) => message.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? message[..colon] : message;
}
