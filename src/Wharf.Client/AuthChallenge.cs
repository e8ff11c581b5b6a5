using System.Net.Http.Headers;

namespace Wharf.Client;

/// <summary>A <c>WWW-Authenticate</c> challenge: Basic, or Bearer with the token service's realm and service.</summary>
internal sealed record AuthChallenge(string Scheme, string? Realm, string? Service)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first Bearer or Basic challenge of a 401, if any.</summary>
    public static AuthChallenge? From(HttpResponseHeaders headers)
    {
        foreach (var header in headers.WwwAuthenticate)
        {
            if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                var parameters = Parameters(header.Parameter);
                return new AuthChallenge(header.Scheme, parameters.GetValueOrDefault("realm"), parameters.GetValueOrDefault("service"));
            }
        }

        return null;
    }

    /// <summary>Reads <c>key="value",key=value</c> pairs; commas inside quotes belong to the value.</summary>
    internal static Dictionary<string, string> Parameters(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (text is not null && i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || text[i] == ' '))
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var key = text[i..equals].Trim();
            i = equals + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var close = text.IndexOf('"', i + 1);
                close = close < 0 ? text.Length : close;
                value = text[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var comma = text.IndexOf(',', i);
                comma = comma < 0 ? text.Length : comma;
                value = text[i..comma].Trim();
                i = comma;
            }

            result[key] = value;
        }

        return result;
    }
}
