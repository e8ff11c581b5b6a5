using System.Text.Json;
using System.Text.Unicode;
using Wharf.Core.Errors;

namespace Wharf.Core.Protocol;

/// <summary>
/// Checks a pushed manifest and extracts its references. Accepts OCI image manifests and indexes,
/// Docker schema2 manifests and manifest lists, and artifacts; refuses schema1.
/// </summary>
public static class ManifestParser
{
    public static Result<ParsedManifest> Parse(ReadOnlySpan<byte> body, string? contentType)
    {
        // JSON text is UTF-8 (RFC 8259); the reader does not check inside strings, and reading such a string throws.
        if (!Utf8.IsValid(body))
        {
            return new RegistryError(ErrorCode.ManifestInvalid, "manifest is not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            return new RegistryError(ErrorCode.ManifestInvalid, "manifest is not valid JSON: " + e.Message);
        }

        if (!StringsAreUnicode(body))
        {
            doc.Dispose();
            return new RegistryError(ErrorCode.ManifestInvalid, "manifest has a string whose escapes are not valid Unicode (a lone surrogate such as \\ud800)");
        }

        using (doc)
        {
            return Parse(doc.RootElement, NormalizeContentType(contentType));
        }
    }

    private static Result<ParsedManifest> Parse(JsonElement root, string? contentType)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid("manifest must be a JSON object");
        }

        var bodyMediaType = OptionalString(root, "mediaType", out var badMediaType) is { } given ? MediaTypes.Canonical(given) : null;
        if (badMediaType)
        {
            return Invalid("mediaType must be a string");
        }

        if (contentType is not null && MediaTypes.IsSchema1(contentType) || bodyMediaType is not null && MediaTypes.IsSchema1(bodyMediaType)
            || root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.TryGetInt32(out var v1) && v1 == 1)
        {
            return Invalid("Docker schema1 manifests are not supported; push the image as Docker schema2 or OCI");
        }

        if (!root.TryGetProperty("schemaVersion", out var schemaVersion) || schemaVersion.ValueKind != JsonValueKind.Number
            || !schemaVersion.TryGetInt32(out var version) || version != 2)
        {
            return Invalid("schemaVersion must be 2");
        }

        string mediaType;
        if (contentType is not null && MediaTypes.IsKnownManifest(contentType))
        {
            if (bodyMediaType is not null && bodyMediaType != contentType)
            {
                return Invalid($"mediaType '{bodyMediaType}' does not match Content-Type '{contentType}'");
            }

            mediaType = contentType;
        }
        else if (contentType is not null && contentType != "application/json")
        {
            return Invalid($"unsupported manifest media type '{contentType}'");
        }
        else if (bodyMediaType is not null)
        {
            mediaType = bodyMediaType;
        }
        else
        {
            mediaType = root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
        }

        if (!MediaTypes.IsKnownManifest(mediaType))
        {
            return Invalid($"unsupported manifest media type '{mediaType}'");
        }

        var artifactType = OptionalString(root, "artifactType", out var badArtifactType);
        if (badArtifactType)
        {
            return Invalid("artifactType must be a string");
        }

        Descriptor? subject = null;
        if (root.TryGetProperty("subject", out var subjectElement) && subjectElement.ValueKind != JsonValueKind.Null)
        {
            var s = ParseDescriptor(subjectElement, "subject");
            if (!s.IsOk)
            {
                return s.Error!;
            }

            subject = s.Value;
        }

        var annotations = root.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object ? a.GetRawText() : null;

        if (MediaTypes.IsIndex(mediaType))
        {
            var manifests = ParseDescriptors(root, "manifests", required: true);
            return manifests.IsOk
                ? new ParsedManifest(mediaType, artifactType, [], manifests.Value, subject, annotations)
                : manifests.Error!;
        }

        if (!root.TryGetProperty("config", out var configElement))
        {
            return Invalid("an image manifest needs a config descriptor");
        }

        var config = ParseDescriptor(configElement, "config");
        if (!config.IsOk)
        {
            return config.Error!;
        }

        var layers = ParseDescriptors(root, "layers", required: mediaType == MediaTypes.DockerManifest);
        if (!layers.IsOk)
        {
            return layers.Error!;
        }

        var blobs = new List<Descriptor>(layers.Value.Count + 1) { config.Value };
        blobs.AddRange(layers.Value);
        return new ParsedManifest(mediaType, artifactType ?? config.Value.MediaType, blobs, [], subject, annotations);
    }

    private static Result<IReadOnlyList<Descriptor>> ParseDescriptors(JsonElement root, string property, bool required)
    {
        if (!root.TryGetProperty(property, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return required ? Invalid($"'{property}' is required") : Result<IReadOnlyList<Descriptor>>.Ok([]);
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            return Invalid($"'{property}' must be an array");
        }

        var list = new List<Descriptor>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var d = ParseDescriptor(item, $"{property}[{i++}]");
            if (!d.IsOk)
            {
                return d.Error!;
            }

            list.Add(d.Value);
        }

        return list;
    }

    private static Result<Descriptor> ParseDescriptor(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return Invalid($"{where} must be a descriptor object");
        }

        if (!e.TryGetProperty("mediaType", out var mt) || mt.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(mt.GetString()))
        {
            return Invalid($"{where} needs a mediaType");
        }

        if (!e.TryGetProperty("digest", out var dg) || dg.ValueKind != JsonValueKind.String || !Digest.TryParse(dg.GetString(), out var digest))
        {
            return Invalid($"{where} needs a valid sha256 or sha512 digest");
        }

        if (!e.TryGetProperty("size", out var sz) || sz.ValueKind != JsonValueKind.Number || !sz.TryGetInt64(out var size) || size < 0)
        {
            return Invalid($"{where} needs a non-negative size");
        }

        var artifactType = e.TryGetProperty("artifactType", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null;
        var annotations = e.TryGetProperty("annotations", out var an) && an.ValueKind == JsonValueKind.Object ? an.GetRawText() : null;
        return new Descriptor(mt.GetString()!, digest, size, artifactType, annotations);
    }

    private static string? OptionalString(JsonElement root, string name, out bool wrongType)
    {
        wrongType = false;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            wrongType = true;
            return null;
        }

        return e.GetString();
    }

    /// <summary>Strips parameters (<c>; charset=…</c>) and whitespace; null or empty means "not given".</summary>
    public static string? NormalizeContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        return MediaTypes.Canonical((semi >= 0 ? contentType[..semi] : contentType).Trim());
    }

    /// <summary>
    /// Whether every escaped string and property name unescapes to valid UTF-16. <c>"\ud800"</c> is valid JSON, but
    /// reading it as a string throws, here and wherever Wharf reads the stored manifest later (the image API, the UI).
    /// </summary>
    private static bool StringsAreUnicode(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (JsonException)
        {
            // Past the one document that parsed: what follows it is the parse's concern, not this check's.
        }

        return true;
    }

    private static RegistryError Invalid(string message) => new(ErrorCode.ManifestInvalid, message);
}
