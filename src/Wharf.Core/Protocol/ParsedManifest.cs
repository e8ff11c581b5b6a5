namespace Wharf.Core.Protocol;

/// <summary>What Wharf needs to know about a manifest. The bytes themselves are kept untouched elsewhere.</summary>
/// <param name="MediaType">The media type the manifest is stored and served with.</param>
/// <param name="ArtifactType">artifactType, or for an image manifest without one, its config media type.</param>
/// <param name="Blobs">Blobs referenced (config and layers) of an image manifest; empty for an index.</param>
/// <param name="Manifests">Child manifests of an index; empty for an image manifest.</param>
/// <param name="Subject">The manifest this one refers to (referrers API), or null.</param>
/// <param name="AnnotationsJson">The raw annotations object, or null.</param>
public sealed record ParsedManifest(
    string MediaType,
    string? ArtifactType,
    IReadOnlyList<Descriptor> Blobs,
    IReadOnlyList<Descriptor> Manifests,
    Descriptor? Subject,
    string? AnnotationsJson);
