using System.Text.Json;

namespace Wharf.Core.Services.Images;

// What the JSON API answers for tags and images. Property order is the wire order; names become camelCase.
// Times are UTC DateTime values so they serialise as ISO-8601 with a Z.

/// <summary>One tag on a repository page.</summary>
/// <param name="Size">Manifest + config + layers; for an index, its own bytes plus the size of every child image.</param>
/// <param name="Platforms">An index's platforms (attestations left out); a single image's own platform from its config.</param>
public sealed record TagSummary(string Name, string Digest, string MediaType, long Size, IReadOnlyList<string> Platforms, DateTime PushedAt, long PullCount);

/// <summary>A page of tags and how many the repository has.</summary>
public sealed record TagList(long Total, int Page, int PerPage, IReadOnlyList<TagSummary> Tags);

/// <summary>One child of an index. <paramref name="Size"/> is the child image's total size (manifest + config + layers).</summary>
public sealed record PlatformSummary(string Os, string Architecture, string? Variant, string Digest, long Size);

/// <summary>What an image's config says about running it. Lists are empty, never null, when the config has none.</summary>
public sealed record ImageConfigSummary(
    DateTime? Created,
    string? Author,
    string? Os,
    string? Architecture,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Env,
    string? WorkingDir,
    string? User,
    IReadOnlyList<string> ExposedPorts,
    IReadOnlyDictionary<string, string> Labels);

/// <summary>One build step; <paramref name="LayerIndex"/> is the layer it made (null for an empty step).</summary>
public sealed record HistoryStep(DateTime? Created, string? CreatedBy, string? Comment, bool EmptyLayer, int? LayerIndex);

/// <summary>A layer (or artifact blob) with its compressed size and position in the manifest.</summary>
public sealed record LayerSummary(string Digest, string MediaType, long Size, int Index);

/// <summary>A manifest whose subject is the image: a signature, an SBOM, an attestation.</summary>
public sealed record ReferrerSummary(string Digest, string? ArtifactType, string MediaType, long Size, IReadOnlyDictionary<string, string> Annotations);

/// <summary>Everything the image page shows.</summary>
/// <param name="Manifest">The manifest as stored, as a JSON object.</param>
/// <param name="Platforms">Children of an index; empty for an image or artifact.</param>
/// <param name="Config">Null for an index, an artifact, or a config that could not be read.</param>
public sealed record ImageDetails(
    string Name,
    string Reference,
    string Digest,
    string MediaType,
    string? ArtifactType,
    long Size,
    JsonElement Manifest,
    IReadOnlyList<PlatformSummary> Platforms,
    ImageConfigSummary? Config,
    IReadOnlyList<HistoryStep> History,
    IReadOnlyList<LayerSummary> Layers,
    IReadOnlyList<ReferrerSummary> Referrers,
    long PullCount);
