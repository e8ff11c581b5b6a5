namespace Wharf.Core.Protocol;

/// <summary>A content descriptor as it appears inside a manifest.</summary>
/// <param name="AnnotationsJson">The raw JSON object of annotations, or null when absent.</param>
public sealed record Descriptor(string MediaType, Digest Digest, long Size, string? ArtifactType = null, string? AnnotationsJson = null);
