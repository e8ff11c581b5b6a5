using System.Text;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>Formats an HTTP exchange with the registry for failure messages (so a misbehaving response is reported exactly).</summary>
internal static class HttpTranscript
{
    public static string Describe(HttpResponseMessage response, byte[] body)
    {
        var request = response.RequestMessage;
        var text = new StringBuilder();
        if (request is not null)
        {
            text.Append(request.Method).Append(' ').Append(request.RequestUri).AppendLine();
            foreach (var (name, values) in request.Headers)
            {
                text.Append(name).Append(": ").AppendJoin(", ", values).AppendLine();
            }
        }

        text.AppendLine("-->");
        text.Append((int)response.StatusCode).Append(' ').Append(response.ReasonPhrase).AppendLine();
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            text.Append(name).Append(": ").AppendJoin(", ", values).AppendLine();
        }

        text.AppendLine();
        text.Append(Preview(body));
        return text.ToString();
    }

    private static string Preview(byte[] body)
    {
        const int Max = 2000;
        if (body.Length == 0)
        {
            return "(empty body)";
        }

        var printable = body.Take(Max).All(b => b is >= 0x20 and < 0x7f or (byte)'\n' or (byte)'\r' or (byte)'\t');
        var shown = printable ? Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, Max)) : $"({body.Length} bytes of binary content)";
        return body.Length > Max && printable ? shown + $"... ({body.Length} bytes)" : shown;
    }
}
