using System.Text.Json;

namespace Wharf.TestKit;

/// <summary>Writes the JSON documents of an OCI image (config, manifest, index) as compact, stable bytes.</summary>
public static class OciLayoutJson
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string Created = "2024-01-01T00:00:00Z";

    public static byte[] Config(string architecture, string os, IReadOnlyList<string> diffIds, string label) => Write(w =>
    {
        w.WriteString("created", Created);
        w.WriteString("architecture", architecture);
        w.WriteString("os", os);
        w.WriteStartObject("config");
        w.WriteStartArray("Env");
        w.WriteStringValue("PATH=/usr/local/bin:/usr/bin:/bin");
        w.WriteEndArray();
        w.WriteStartArray("Cmd");
        w.WriteStringValue("/app/hello");
        w.WriteEndArray();
        w.WriteStartObject("Labels");
        w.WriteString("org.example.wharf.test", label);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var diffId in diffIds)
        {
            w.WriteStringValue(diffId);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("history");
        for (var i = 0; i < diffIds.Count; i++)
        {
            w.WriteStartObject();
            w.WriteString("created", Created);
            w.WriteString("created_by", $"Wharf test image builder: layer {i + 1} of {label}");
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public static byte[] Manifest(OciDescriptor config, IReadOnlyList<OciDescriptor> layers) => Write(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", OciLayoutMediaTypes.OciManifest);
        w.WritePropertyName("config");
        Descriptor(w, config);
        w.WriteStartArray("layers");
        foreach (var layer in layers)
        {
            Descriptor(w, layer);
        }

        w.WriteEndArray();
    });

    public static byte[] Index(IReadOnlyList<OciImage> images) => Write(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", OciLayoutMediaTypes.OciIndex);
        w.WriteStartArray("manifests");
        foreach (var image in images)
        {
            Descriptor(w, image.ManifestDescriptor, platform: (image.Architecture, image.Os));
        }

        w.WriteEndArray();
    });

    /// <summary>The layout's own <c>index.json</c>, naming <paramref name="root"/> as <paramref name="tag"/>.</summary>
    public static byte[] LayoutIndex(OciDescriptor root, string tag) => Write(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteStartArray("manifests");
        Descriptor(w, root, annotations: new Dictionary<string, string> { [RefNameAnnotation] = tag });
        w.WriteEndArray();
    });

    public static byte[] LayoutMarker() => Write(w => w.WriteString("imageLayoutVersion", "1.0.0"));

    private static void Descriptor(
        Utf8JsonWriter w,
        OciDescriptor descriptor,
        (string Architecture, string Os)? platform = null,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", descriptor.MediaType);
        w.WriteString("digest", descriptor.Digest);
        w.WriteNumber("size", descriptor.Size);
        if (platform is var (architecture, os))
        {
            w.WriteStartObject("platform");
            w.WriteString("architecture", architecture);
            w.WriteString("os", os);
            w.WriteEndObject();
        }

        if (annotations is not null)
        {
            w.WriteStartObject("annotations");
            foreach (var (key, value) in annotations)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
