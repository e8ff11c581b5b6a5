using System.Text.Json.Nodes;
using Wharf.Core.Protocol;

namespace Wharf.Client;

/// <summary>What one copy did: the digest it copied and how many blobs and manifests it had to send.</summary>
public sealed record ImageCopyResult(Digest Digest, int BlobsUploaded, int BlobsSkipped, int BlobsMounted, int Manifests, int Referrers);

/// <summary>
/// Copies an image (a manifest, every child of an index, every blob, and optionally the referrers) from one registry to
/// another. Manifests go byte-exact, so digests match on both sides. Blobs stream from source to target, never buffered.
/// The copy is idempotent: each blob is looked up on the target first, so a copy run again after a crash or a
/// cancellation sends only what is missing. The tag is put last: the target never shows a tag before its content.
/// </summary>
public sealed class ImageCopier(RegistryClient source, RegistryClient target)
{
    private RegistryClient Source => source;

    private RegistryClient Target => target;

    /// <summary>A repository of the target known to hold blobs of this image, tried as a mount source before uploading.</summary>
    public string? MountFrom { get; init; }

    /// <summary>
    /// Copies <paramref name="reference"/> (a tag or a digest) of <paramref name="sourceRepository"/> into
    /// <paramref name="targetRepository"/>. Throws <see cref="KeyNotFoundException"/> when the source has no such manifest.
    /// </summary>
    public async Task<ImageCopyResult> CopyAsync(string sourceRepository, string reference, string targetRepository,
        bool referrers = true, CancellationToken cancellationToken = default)
    {
        var top = await source.GetManifestAsync(sourceRepository, reference, cancellationToken: cancellationToken)
            ?? throw new KeyNotFoundException($"{sourceRepository}:{reference} is not in {source.BaseAddress}");
        var run = new Run(this, sourceRepository, targetRepository, referrers);

        // Resolved once: a tag that moves during the copy does not mix two images.
        await run.CopyGraphAsync(top, cancellationToken);
        if (!Digest.TryParse(reference, out _))
        {
            await target.PutManifestAsync(targetRepository, reference, top.MediaType, top.Bytes, cancellationToken);
        }

        return new ImageCopyResult(top.Digest, run.Uploaded, run.Skipped, run.Mounted, run.Manifests, run.ReferrersCopied);
    }

    private sealed class Run(ImageCopier copier, string sourceRepository, string targetRepository, bool referrers)
    {
        private readonly HashSet<Digest> _done = [];

        public int Uploaded { get; private set; }
        public int Skipped { get; private set; }
        public int Mounted { get; private set; }
        public int Manifests { get; private set; }
        public int ReferrersCopied { get; private set; }

        /// <summary>Everything the manifest refers to, then the manifest by digest, then its referrers.</summary>
        public async Task CopyGraphAsync(RegistryManifest manifest, CancellationToken cancellationToken)
        {
            if (!_done.Add(manifest.Digest))
            {
                return;
            }

            var document = JsonNode.Parse(manifest.Bytes.Span) as JsonObject
                ?? throw new InvalidDataException($"{sourceRepository}@{manifest.Digest} is not a JSON object");
            if (document["manifests"] is JsonArray children)
            {
                foreach (var child in Descriptors(children))
                {
                    var bytes = await copier.Source.GetManifestAsync(sourceRepository, child.Value, cancellationToken: cancellationToken)
                        ?? throw new InvalidDataException($"{sourceRepository}@{manifest.Digest} lists {child}, which the source does not have");
                    await CopyGraphAsync(bytes, cancellationToken);
                }
            }

            var blobs = new List<(Digest Digest, long Size)>();
            if (document["config"] is JsonObject config && Descriptor(config) is { } configBlob)
            {
                blobs.Add(configBlob);
            }

            if (document["layers"] is JsonArray layers)
            {
                blobs.AddRange(layers.OfType<JsonObject>().Select(Descriptor).OfType<(Digest, long)>());
            }

            foreach (var (digest, size) in blobs)
            {
                await CopyBlobAsync(digest, size, cancellationToken);
            }

            await copier.Target.PutManifestAsync(targetRepository, manifest.Digest.Value, manifest.MediaType, manifest.Bytes, cancellationToken);
            Manifests++;
            if (referrers)
            {
                await CopyReferrersAsync(manifest.Digest, cancellationToken);
            }
        }

        private async Task CopyBlobAsync(Digest digest, long size, CancellationToken cancellationToken)
        {
            if (!_done.Add(digest))
            {
                return;
            }

            if (await copier.Target.HeadBlobAsync(targetRepository, digest, cancellationToken) is not null)
            {
                Skipped++;
                return;
            }

            if (copier.MountFrom is { } from && from != targetRepository
                && await copier.Target.MountBlobAsync(targetRepository, digest, from, cancellationToken))
            {
                Mounted++;
                return;
            }

            await using var download = await copier.Source.GetBlobAsync(sourceRepository, digest, cancellationToken: cancellationToken)
                ?? throw new InvalidDataException($"{sourceRepository}: blob {digest} is referenced but the source does not have it");
            await copier.Target.PushBlobAsync(targetRepository, digest, download.Length ?? size, download.Content, cancellationToken);
            Uploaded++;
        }

        /// <summary>
        /// The subject's referrers, each copied like an image. A target without the referrers API (it cannot list them
        /// after the puts) gets the tag schema's index, as a pusher would write it.
        /// </summary>
        private async Task CopyReferrersAsync(Digest subject, CancellationToken cancellationToken)
        {
            var index = await copier.Source.GetReferrersAsync(sourceRepository, subject, cancellationToken: cancellationToken);
            var listed = JsonNode.Parse(index.Bytes.Span)?["manifests"] as JsonArray;
            var found = listed is null ? [] : Descriptors(listed).ToList();
            if (found.Count == 0)
            {
                return;
            }

            foreach (var referrer in found)
            {
                var bytes = await copier.Source.GetManifestAsync(sourceRepository, referrer.Value, cancellationToken: cancellationToken)
                    ?? throw new InvalidDataException($"{sourceRepository}: referrer {referrer} of {subject} is listed but missing");
                await CopyGraphAsync(bytes, cancellationToken);
                ReferrersCopied++;
            }

            var there = await copier.Target.GetReferrersAsync(targetRepository, subject, cancellationToken: cancellationToken);
            var known = JsonNode.Parse(there.Bytes.Span)?["manifests"] is JsonArray targetList ? Descriptors(targetList).ToHashSet() : [];
            if (!found.All(known.Contains))
            {
                await copier.Target.PutManifestAsync(targetRepository, $"{subject.Algorithm}-{subject.Encoded}", MediaTypes.OciIndex, index.Bytes, cancellationToken);
            }
        }

        private static IEnumerable<Digest> Descriptors(JsonArray array) =>
            array.OfType<JsonObject>().Select(Descriptor).OfType<(Digest Digest, long Size)>().Select(d => d.Digest);

        private static (Digest Digest, long Size)? Descriptor(JsonObject descriptor) =>
            Digest.TryParse((string?)descriptor["digest"], out var digest)
                ? (digest, descriptor["size"] is JsonValue size && size.TryGetValue<long>(out var bytes) ? bytes : -1)
                : null;
    }
}
