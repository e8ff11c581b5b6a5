using System.Text.Json.Nodes;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>An OCI content descriptor.</summary>
public sealed record Descriptor(string MediaType, string Digest, long Size)
{
    public string? ArtifactType { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    public (string Os, string Architecture)? Platform { get; init; }

    public IReadOnlyList<string>? Urls { get; init; }

    public static Descriptor For(string mediaType, byte[] content) => new(mediaType, Digests.Sha256(content), content.Length);

    public static Descriptor EmptyJson { get; } = new(MediaTypes.OciEmptyJson, Digests.EmptyJsonSha256, 2);

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["mediaType"] = MediaType,
            ["digest"] = Digest,
            ["size"] = Size,
        };
        if (ArtifactType is not null)
        {
            o["artifactType"] = ArtifactType;
        }

        if (Urls is not null)
        {
            o["urls"] = new JsonArray([.. Urls.Select(u => (JsonNode?)JsonValue.Create(u))]);
        }

        if (Platform is { } p)
        {
            o["platform"] = new JsonObject { ["architecture"] = p.Architecture, ["os"] = p.Os };
        }

        if (Annotations is not null)
        {
            o["annotations"] = ManifestJson.Map(Annotations);
        }

        return o;
    }
}
