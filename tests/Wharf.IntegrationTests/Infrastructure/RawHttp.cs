using System.Net.Sockets;
using System.Text;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>A parsed response read from a raw socket.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public override string ToString() => $"{Status} {BodyText}";
}

/// <summary>
/// HTTP/1.1 over a bare TcpClient, for requests HttpClient would rewrite (dot segments, escapes)
/// or could not send (lying Content-Length, a body cut short by a disconnect).
/// </summary>
public static class RawHttp
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Sends one request with Connection: close and reads the whole response.</summary>
    public static async Task<RawResponse> SendAsync(Uri baseAddress, string method, string target, byte[]? body = null, IEnumerable<(string Name, string Value)>? headers = null, bool headRequest = false)
    {
        using var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, cts.Token);
        var stream = tcp.GetStream();
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(baseAddress.Authority).Append("\r\n");
        head.Append("Connection: close\r\n");
        var hasLength = false;
        foreach (var (name, value) in headers ?? [])
        {
            hasLength |= name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase);
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (!hasLength && (body is not null || method is "POST" or "PUT" or "PATCH"))
        {
            head.Append("Content-Length: ").Append(body?.Length ?? 0).Append("\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cts.Token);
        if (body is not null)
        {
            await stream.WriteAsync(body, cts.Token);
        }

        await stream.FlushAsync(cts.Token);
        using var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cts.Token);
        }
        catch (IOException) when (buffer.Length > 0)
        {
            // the server may reset the connection after answering; keep what arrived
        }

        return Parse(buffer.ToArray(), headRequest || method == "HEAD");
    }

    /// <summary>
    /// Sends request headers announcing <paramref name="declaredLength"/> bytes, then only
    /// <paramref name="partialBody"/>, then closes the socket abruptly.
    /// </summary>
    public static async Task SendTruncatedAsync(Uri baseAddress, string method, string target, long declaredLength, byte[] partialBody, string contentType = MediaTypes.OctetStream, IEnumerable<(string Name, string Value)>? headers = null)
    {
        using var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, cts.Token);
        var stream = tcp.GetStream();
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(baseAddress.Authority).Append("\r\n");
        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        head.Append("Content-Length: ").Append(declaredLength).Append("\r\n");
        foreach (var (name, value) in headers ?? [])
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cts.Token);
        await stream.WriteAsync(partialBody, cts.Token);
        await stream.FlushAsync(cts.Token);
        await Task.Delay(200, cts.Token);
        tcp.Client.LingerState = new LingerOption(true, 0); // RST, like a crashed client
        tcp.Client.Close();
    }

    private static RawResponse Parse(byte[] raw, bool isHead)
    {
        var end = IndexOf(raw, "\r\n\r\n"u8);
        Assert.True(end >= 0, $"no complete HTTP response head received ({raw.Length} bytes): {Encoding.ASCII.GetString(raw)}");
        var lines = Encoding.ASCII.GetString(raw, 0, end).Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        var status = int.Parse(statusParts[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out var prior) ? prior + ", " + value : value;
            }
        }

        var body = raw.AsSpan(end + 4).ToArray();
        if (isHead || status is 204 or 304)
        {
            return new RawResponse(status, headers, []);
        }

        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }
        else if (headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, out var length) && length <= body.Length)
        {
            body = body.AsSpan(0, (int)length).ToArray();
        }

        return new RawResponse(status, headers, body);
    }

    private static byte[] Dechunk(byte[] data)
    {
        using var output = new MemoryStream();
        var pos = 0;
        while (pos < data.Length)
        {
            var lineEnd = IndexOf(data.AsSpan(pos), "\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(data, pos, lineEnd).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            pos += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            output.Write(data, pos, Math.Min(size, data.Length - pos));
            pos += size + 2;
        }

        return output.ToArray();
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);
}
