using System.Text.Json;

namespace Wharf.TestKit;

/// <summary>What an OCI image layout on disk holds under one tag, every blob checked against its digest.</summary>
public sealed record OciLayoutContent(OciDescriptor Root, IReadOnlyDictionary<string, byte[]> Blobs)
{
    /// <summary>Every digest reachable from the root, the root included.</summary>
    public IReadOnlySet<string> AllDigests => new HashSet<string>(Blobs.Keys, StringComparer.Ordinal);

    public byte[] RootBytes => Blobs[Root.Digest];
}

/// <summary>Reads OCI image layout directories written by registry clients (e.g. <c>skopeo copy ... oci:DIR:TAG</c>).</summary>
public static class OciLayoutReader
{
    /// <summary>
    /// Resolves <paramref name="tag"/> in the layout's index.json and walks manifests, indexes,
    /// configs and layers from there. Throws if a blob is missing or its bytes do not match its digest.
    /// </summary>
    public static OciLayoutContent Read(string directory, string tag)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "index.json")));
        var root = index.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => (Descriptor: ToDescriptor(m), Name: RefName(m)))
            .Where(m => m.Name == tag)
            .Select(m => m.Descriptor)
            .SingleOrDefault()
            ?? throw new InvalidDataException($"no manifest tagged '{tag}' in {directory}/index.json");

        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Walk(directory, root, blobs);
        return new OciLayoutContent(root, blobs);
    }

    /// <summary>Descriptors a manifest or index refers to (children, config, layers).</summary>
    public static IReadOnlyList<OciDescriptor> References(byte[] manifest)
    {
        using var document = JsonDocument.Parse(manifest);
        var element = document.RootElement;
        var references = new List<OciDescriptor>();
        if (element.TryGetProperty("manifests", out var manifests))
        {
            references.AddRange(manifests.EnumerateArray().Select(ToDescriptor));
        }

        if (element.TryGetProperty("config", out var config))
        {
            references.Add(ToDescriptor(config));
        }

        if (element.TryGetProperty("layers", out var layers))
        {
            references.AddRange(layers.EnumerateArray().Select(ToDescriptor));
        }

        return references;
    }

    private static void Walk(string directory, OciDescriptor descriptor, Dictionary<string, byte[]> blobs)
    {
        if (blobs.ContainsKey(descriptor.Digest))
        {
            return;
        }

        var path = Path.Combine(directory, "blobs", "sha256", OciLayoutDigests.Hex(descriptor.Digest));
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"blob {descriptor.Digest} ({descriptor.MediaType}) is missing from {directory}");
        }

        var content = File.ReadAllBytes(path);
        var actual = OciLayoutDigests.Sha256(content);
        if (actual != descriptor.Digest || content.Length != descriptor.Size)
        {
            throw new InvalidDataException(
                $"blob {descriptor.Digest} in {directory} has digest {actual} and size {content.Length} (descriptor says {descriptor.Size})");
        }

        blobs[descriptor.Digest] = content;
        if (IsManifest(descriptor.MediaType))
        {
            foreach (var reference in References(content))
            {
                Walk(directory, reference, blobs);
            }
        }
    }

    private static bool IsManifest(string mediaType) => OciLayoutMediaTypes.AllManifests.Contains(mediaType);

    private static OciDescriptor ToDescriptor(JsonElement element) => new(
        element.GetProperty("mediaType").GetString() ?? string.Empty,
        element.GetProperty("digest").GetString() ?? string.Empty,
        element.GetProperty("size").GetInt64());

    private static string? RefName(JsonElement element) =>
        element.TryGetProperty("annotations", out var annotations)
        && annotations.TryGetProperty(OciLayoutJson.RefNameAnnotation, out var name)
            ? name.GetString()
            : null;
}
