namespace Wharf.Http.Ui;

/// <summary>
/// One file of the web UI as it goes on the wire: its bytes, the same bytes compressed with brotli and gzip (null when
/// compressing does not make it smaller), its content type, and an entity tag derived from its content.
/// </summary>
public sealed record UiAsset(string ContentType, byte[] Identity, byte[]? Brotli, byte[]? Gzip, string Hash)
{
    /// <summary>The bytes to send for the client's <c>Accept-Encoding</c>, with their encoding name (null: identity).</summary>
    public (byte[] Body, string? Encoding) For(AcceptedEncodings accepted) =>
        accepted.Brotli && Brotli is not null ? (Brotli, "br")
        : accepted.Gzip && Gzip is not null ? (Gzip, "gzip")
        : (Identity, null);

    /// <summary>A strong entity tag per representation: the same content in another encoding is another representation.</summary>
    public string ETagFor(string? encoding) => encoding is null ? $"\"{Hash}\"" : $"\"{Hash}-{encoding}\"";
}

/// <summary>Which content codings a request accepts (q=0 refuses one).</summary>
public readonly record struct AcceptedEncodings(bool Brotli, bool Gzip)
{
    public static AcceptedEncodings Parse(IEnumerable<string?> headerValues)
    {
        bool brotli = false, gzip = false;
        foreach (var header in headerValues)
        {
            foreach (var part in (header ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                var refused = pieces.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
                if (refused)
                {
                    continue;
                }

                brotli |= string.Equals(pieces[0], "br", StringComparison.OrdinalIgnoreCase);
                gzip |= string.Equals(pieces[0], "gzip", StringComparison.OrdinalIgnoreCase);
            }
        }

        return new AcceptedEncodings(brotli, gzip);
    }
}
