using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Builds manifest documents as the bytes a client would push.</summary>
public static class ManifestJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static byte[] Image(
        Descriptor config,
        IEnumerable<Descriptor> layers,
        Descriptor? subject = null,
        string? artifactType = null,
        IReadOnlyDictionary<string, string>? annotations = null,
        string? mediaType = MediaTypes.OciManifest)
    {
        var o = new JsonObject { ["schemaVersion"] = 2 };
        if (mediaType is not null)
        {
            o["mediaType"] = mediaType;
        }

        if (artifactType is not null)
        {
            o["artifactType"] = artifactType;
        }

        o["config"] = config.ToJson();
        o["layers"] = new JsonArray([.. layers.Select(l => (JsonNode?)l.ToJson())]);
        if (subject is not null)
        {
            o["subject"] = subject.ToJson();
        }

        if (annotations is not null)
        {
            o["annotations"] = Map(annotations);
        }

        return Serialize(o);
    }

    public static byte[] Index(
        IEnumerable<Descriptor> manifests,
        Descriptor? subject = null,
        string? artifactType = null,
        IReadOnlyDictionary<string, string>? annotations = null,
        string? mediaType = MediaTypes.OciIndex)
    {
        var o = new JsonObject { ["schemaVersion"] = 2 };
        if (mediaType is not null)
        {
            o["mediaType"] = mediaType;
        }

        if (artifactType is not null)
        {
            o["artifactType"] = artifactType;
        }

        o["manifests"] = new JsonArray([.. manifests.Select(m => (JsonNode?)m.ToJson())]);
        if (subject is not null)
        {
            o["subject"] = subject.ToJson();
        }

        if (annotations is not null)
        {
            o["annotations"] = Map(annotations);
        }

        return Serialize(o);
    }

    public static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values)
        {
            o[k] = v;
        }

        return o;
    }

    public static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Indented));
}
