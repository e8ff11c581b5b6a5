using System.Text.Json;
using Wharf.Core.Protocol;

namespace Wharf.Core.Services.Images;

/// <summary>An OS/architecture pair as an index names it, e.g. <c>linux/arm64/v8</c>.</summary>
public sealed record Platform(string Os, string Architecture, string? Variant)
{
    /// <summary>Buildx attaches attestations to an index as <c>unknown/unknown</c> entries; they are not runnable platforms.</summary>
    public bool IsUnknown => Os == "unknown" && Architecture == "unknown";

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}

/// <summary>A descriptor inside a manifest, with what the JSON API shows of it.</summary>
public sealed record DescriptorView(string MediaType, Digest Digest, long Size, string? ArtifactType, Platform? Platform);

/// <summary>
/// The parts of a stored manifest (already validated when pushed) that the JSON API reads: config, layers,
/// child manifests with their platforms, artifactType. Lenient: a field of the wrong shape is left out.
/// </summary>
public sealed record ManifestView(string MediaType, string? DeclaredArtifactType, DescriptorView? Config, IReadOnlyList<DescriptorView> Layers, IReadOnlyList<DescriptorView> Manifests)
{
    /// <summary>Config media types that describe a runnable image (the only ones whose config is summarised).</summary>
    public static bool IsImageConfig(string mediaType) =>
        mediaType is "application/vnd.oci.image.config.v1+json" or "application/vnd.docker.container.image.v1+json";

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>An image manifest whose config is an image config and that declares no artifactType.</summary>
    public bool IsRunnableImage => !IsIndex && DeclaredArtifactType is null && Config is not null && IsImageConfig(Config.MediaType);

    /// <summary>The declared artifactType, else a non-image config's media type (how artifacts were told apart before artifactType).</summary>
    public string? ArtifactType =>
        DeclaredArtifactType ?? (Config is { } config && !IsImageConfig(config.MediaType) ? config.MediaType : null);

    public static ManifestView Parse(string mediaType, ReadOnlySpan<byte> payload)
    {
        using var document = JsonDocument.Parse(payload.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        return From(mediaType, document.RootElement);
    }

    public static ManifestView From(string mediaType, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new ManifestView(mediaType, null, null, [], []);
        }

        var config = root.TryGetProperty("config", out var c) ? Descriptor(c) : null;
        return new ManifestView(mediaType, String(root, "artifactType"), config, Descriptors(root, "layers"), Descriptors(root, "manifests"));
    }

    private static List<DescriptorView> Descriptors(JsonElement root, string property)
    {
        var list = new List<DescriptorView>();
        if (root.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (Descriptor(item) is { } descriptor)
                {
                    list.Add(descriptor);
                }
            }
        }

        return list;
    }

    private static DescriptorView? Descriptor(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || String(e, "mediaType") is not { } mediaType
            || !Digest.TryParse(String(e, "digest"), out var digest)
            || !e.TryGetProperty("size", out var size) || !size.TryGetInt64(out var bytes))
        {
            return null;
        }

        Platform? platform = null;
        if (e.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object
            && String(p, "os") is { } os && String(p, "architecture") is { } architecture)
        {
            platform = new Platform(os, architecture, String(p, "variant"));
        }

        return new DescriptorView(mediaType, digest, bytes, String(e, "artifactType"), platform);
    }

    internal static string? String(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
