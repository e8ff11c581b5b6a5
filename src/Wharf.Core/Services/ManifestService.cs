using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services;

/// <summary>The outcome of a manifest push.</summary>
public sealed record PushedManifest(Digest Digest, Digest? Subject);

/// <summary>Manifest pushes, pulls and deletes, and the referrers API. Tags made immutable by <paramref name="immutable"/> never move nor go.</summary>
public sealed class ManifestService(IManifestReader reader, IManifestWriter writer, IStorageDriver storage, ImmutableTagPolicy? immutable = null, Events.IRefusalEvents? refusals = null)
{
    /// <summary>How many blobs of one manifest are looked up in storage at once.</summary>
    private const int StatBatch = 32;

    private readonly ImmutableTagPolicy _immutable = immutable ?? ImmutableTagPolicy.None;

    /// <summary>Resolves <paramref name="reference"/> (a tag or a digest, already validated) to a stored manifest.</summary>
    public async ValueTask<Result<StoredManifest>> GetAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        var manifest = Digest.TryParse(reference, out var digest)
            ? await reader.GetAsync(repository, digest, cancellationToken)
            : await reader.GetByTagAsync(repository, reference, cancellationToken);
        return manifest is null ? ErrorCode.ManifestUnknown : manifest;
    }

    /// <summary>
    /// Validates and stores a manifest byte-exact in the metadata store, checking every reference in the
    /// same transaction that writes the manifest and moves the tag.
    /// </summary>
    public async ValueTask<Result<PushedManifest>> PutAsync(
        string repository, string reference, byte[] payload, string? contentType, CancellationToken cancellationToken)
    {
        var parsed = ManifestParser.Parse(payload, contentType);
        if (!parsed.IsOk)
        {
            return parsed.Error!;
        }

        var manifest = parsed.Value;
        string? tag = null;
        Digest digest;
        if (Digest.TryParse(reference, out var byDigest))
        {
            digest = Digest.Compute(byDigest.Algorithm, payload);
            if (digest != byDigest)
            {
                return new RegistryError(ErrorCode.DigestInvalid, $"manifest digest is {digest}, not {byDigest}");
            }
        }
        else
        {
            tag = reference;
            digest = Digest.Compute(payload);
        }

        var record = new ManifestRecord(
            digest,
            manifest.MediaType,
            payload,
            manifest.ArtifactType,
            manifest.Subject?.Digest,
            manifest.AnnotationsJson,
            manifest.Blobs.Where(b => !MediaTypes.IsNonDistributable(b.MediaType)).Select(b => b.Digest).Distinct().ToArray(),
            manifest.Manifests.Select(m => m.Digest).Distinct().ToArray());
        if (await FirstUnstoredAsync(record.Blobs, cancellationToken) is { } unstored)
        {
            // Recorded, but its bytes are gone (quarantined by `wharf check --repair`): the client must push it again.
            return new RegistryError(ErrorCode.ManifestBlobUnknown, $"blob {unstored} has no stored bytes; push it again", new { digest = unstored.Value });
        }

        var rule = tag is null ? null : _immutable.Match(repository, tag);
        var result = rule is null
            ? await writer.PutAsync(repository, record, tag, cancellationToken)
            : await Guarded().PutKeepingTagAsync(repository, record, tag!, cancellationToken);
        if (result.Status == ManifestPutStatus.TagTaken)
        {
            return await ImmutableTagErrorAsync(repository, tag!, rule!, "it already points to another manifest", digest);
        }

        return result.Status switch
        {
            ManifestPutStatus.Stored => new PushedManifest(digest, manifest.Subject?.Digest),
            ManifestPutStatus.BlobUnknown => new RegistryError(ErrorCode.ManifestBlobUnknown, $"blob {result.Missing} is not in repository {repository}", new { digest = result.Missing?.Value }),
            _ => new RegistryError(ErrorCode.ManifestChildUnknown, $"manifest {result.Missing} is not in repository {repository}", new { digest = result.Missing?.Value }),
        };
    }

    /// <summary>
    /// The first of <paramref name="references"/> whose bytes storage does not hold, or null. They are asked
    /// <see cref="StatBatch"/> at a time, in order, stopping at the first batch with a gap: a manifest naming tens of
    /// thousands of blobs (it may, within its size limit) never has more than a batch of storage requests in flight,
    /// and one naming blobs that were never pushed is answered after the first batch.
    /// </summary>
    private async ValueTask<Digest?> FirstUnstoredAsync(IReadOnlyList<Digest> references, CancellationToken cancellationToken)
    {
        foreach (var batch in references.Chunk(StatBatch))
        {
            var stats = await Task.WhenAll(batch.Select(d => storage.StatAsync(StorageLayout.Blob(d), cancellationToken).AsTask()));
            var index = Array.FindIndex(stats, s => s is null);
            if (index >= 0)
            {
                return batch[index];
            }
        }

        return null;
    }

    /// <summary>By tag: removes only the tag. By digest: removes the manifest and every tag pointing to it.</summary>
    public async ValueTask<Result<bool>> DeleteAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(reference, out var digest))
        {
            if (_immutable.Match(repository, reference) is { } rule)
            {
                return await ImmutableTagErrorAsync(repository, reference, rule, "it cannot be deleted");
            }

            return await writer.DeleteTagAsync(repository, reference, cancellationToken) ? true : ErrorCode.ManifestUnknown;
        }

        if (!_immutable.Covers(repository))
        {
            return await writer.DeleteAsync(repository, digest, cancellationToken) ? true : ErrorCode.ManifestUnknown;
        }

        // The tags pointing to the manifest are read and the manifest deleted in one transaction, so an immutable tag
        // pushed onto it meanwhile is either seen (refused) or pushed after the delete (onto a manifest pushed again).
        var outcome = await Guarded().DeleteUnlessProtectedAsync(repository, digest, tag => _immutable.Match(repository, tag) is not null, cancellationToken);
        if (outcome.ProtectedBy is { } kept)
        {
            return await ImmutableTagErrorAsync(repository, kept, _immutable.Match(repository, kept)!, $"manifest {digest} it points to cannot be deleted", digest);
        }

        return outcome.Deleted ? true : ErrorCode.ManifestUnknown;
    }

    /// <summary>
    /// Removes the tag only while it points to <paramref name="expected"/> (atomically, in the store): MANIFEST_UNKNOWN
    /// when there is no such tag, TAG_MOVED (wire code MANIFEST_UNKNOWN, 409) when it points elsewhere now.
    /// </summary>
    public async ValueTask<Result<bool>> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken)
    {
        if (_immutable.Match(repository, tag) is { } rule)
        {
            return await ImmutableTagErrorAsync(repository, tag, rule, "it cannot be deleted");
        }

        return await writer.DeleteTagIfAsync(repository, tag, expected, cancellationToken) switch
        {
            ConditionalTagDelete.Deleted => true,
            ConditionalTagDelete.TagMoved => new RegistryError(ErrorCode.TagMoved, $"tag {tag} no longer points to {expected}: it was pushed again"),
            _ => ErrorCode.ManifestUnknown,
        };
    }

    /// <summary>The refusal of a change an immutable tag forbids, after reporting it to the webhook endpoints that ask for refusals.</summary>
    private async ValueTask<RegistryError> ImmutableTagErrorAsync(string repository, string tag, ImmutableTagRule rule, string consequence, Digest? digest = null)
    {
        if (refusals is not null)
        {
            await refusals.RefusedAsync(Events.EventActions.TagImmutable, repository, tag, digest?.Value, null);
        }

        return new(ErrorCode.Denied, $"tag {tag} of {repository} is immutable under {rule.Name}: {consequence}", new { repository, tag, rule = rule.Name });
    }

    private IProtectedTagWriter Guarded() =>
        writer.GetCapability<IProtectedTagWriter>() ?? throw new InvalidOperationException($"{writer.GetType().Name} cannot keep immutable tags");

    public ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken) =>
        reader.ListReferrersAsync(repository, subject, artifactType, cancellationToken);
}
