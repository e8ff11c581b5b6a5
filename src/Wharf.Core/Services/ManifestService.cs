using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services;

/// <summary>The outcome of a manifest push.</summary>
public sealed record PushedManifest(Digest Digest, Digest? Subject);

/// <summary>Manifest pushes, pulls and deletes, and the referrers API.</summary>
public sealed class ManifestService(IStorageDriver storage, IManifestReader reader, IManifestWriter writer)
{
    /// <summary>Resolves <paramref name="reference"/> (a tag or a digest, already validated) to a stored manifest.</summary>
    public async ValueTask<Result<StoredManifest>> GetAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        var manifest = Digest.TryParse(reference, out var digest)
            ? await reader.GetAsync(repository, digest, cancellationToken)
            : await reader.GetByTagAsync(repository, reference, cancellationToken);
        return manifest is null ? ErrorCode.ManifestUnknown : manifest;
    }

    /// <summary>
    /// Validates and stores a manifest byte-exact. The bytes become durable in storage (for rebuilds) before the
    /// metadata refers to them; the metadata write checks every reference in the same transaction as the tag.
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

        await StoreBytesAsync(digest, payload, cancellationToken);

        var record = new ManifestRecord(
            digest,
            manifest.MediaType,
            payload,
            manifest.ArtifactType,
            manifest.Subject?.Digest,
            manifest.AnnotationsJson,
            manifest.Blobs.Where(b => !MediaTypes.IsNonDistributable(b.MediaType)).Select(b => b.Digest).Distinct().ToArray(),
            manifest.Manifests.Select(m => m.Digest).Distinct().ToArray());
        var result = await writer.PutAsync(repository, record, tag, cancellationToken);
        return result.Status switch
        {
            ManifestPutStatus.Stored => new PushedManifest(digest, manifest.Subject?.Digest),
            ManifestPutStatus.BlobUnknown => new RegistryError(ErrorCode.ManifestBlobUnknown, $"blob {result.Missing} is not in repository {repository}", new { digest = result.Missing?.Value }),
            _ => new RegistryError(ErrorCode.ManifestChildUnknown, $"manifest {result.Missing} is not in repository {repository}", new { digest = result.Missing?.Value }),
        };
    }

    /// <summary>By tag: removes only the tag. By digest: removes the manifest and every tag pointing to it.</summary>
    public async ValueTask<Result<bool>> DeleteAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        var deleted = Digest.TryParse(reference, out var digest)
            ? await writer.DeleteAsync(repository, digest, cancellationToken)
            : await writer.DeleteTagAsync(repository, reference, cancellationToken);
        return deleted ? true : ErrorCode.ManifestUnknown;
    }

    public ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken) =>
        reader.ListReferrersAsync(repository, subject, artifactType, cancellationToken);

    private async ValueTask StoreBytesAsync(Digest digest, byte[] payload, CancellationToken cancellationToken)
    {
        var path = StorageLayout.Blob(digest);
        if (await storage.StatAsync(path, cancellationToken) is { } info && info.Size == payload.Length)
        {
            return;
        }

        var temp = StorageLayout.Upload(UploadId.New());
        try
        {
            await using (var w = await storage.OpenWriterAsync(temp, 0, cancellationToken))
            {
                await w.WriteAsync(payload, cancellationToken);
                await w.CommitAsync(cancellationToken);
            }

            await storage.MoveAsync(temp, path, cancellationToken);
        }
        catch
        {
            await storage.DeleteAsync(temp, CancellationToken.None);
            throw;
        }
    }
}
