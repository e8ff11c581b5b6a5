using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Core.Storage;

namespace Wharf.Import;

/// <summary>
/// Brings every repository of a Distribution tree into the configured store through the services a push uses, one
/// repository at a time: its blob links first (<see cref="BlobImporter"/>), then its manifests (image manifests before
/// the indexes that name them, through <see cref="ManifestService"/>, so references, subjects and referrers are recorded
/// as at a push), then its tags. Every step is idempotent and checks the store first, so a run after a kill continues
/// where the killed one stopped (docs/design/import.md).
/// </summary>
public sealed class DistributionImporter(BlobImporter blobImporter, ManifestService manifests, IManifestReader reader, ManifestOptions manifestOptions)
{
    /// <summary>The importer over the services of the configured registry (<see cref="Commands.RegistryServices"/>).</summary>
    public static DistributionImporter From(IServiceProvider services) => new(
        new BlobImporter(
            services.GetRequiredService<IStorageDriver>(),
            services.GetRequiredService<IBlobIndex>(),
            services.GetRequiredService<IGcStore>(),
            services.GetRequiredService<NamespaceQuotas>(),
            services.GetRequiredService<UploadService>()),
        services.GetRequiredService<ManifestService>(),
        services.GetRequiredService<IManifestReader>(),
        services.GetRequiredService<ManifestOptions>());

    /// <summary>Imports everything; <paramref name="progress"/> hears (steps done, steps in all, the repository at hand) after each step.</summary>
    public async Task<ImportReport> RunAsync(DistributionTree tree, Action<long, long, string> progress, CancellationToken cancellationToken)
    {
        var report = new ImportReport();
        var repositories = tree.Repositories();
        var total = repositories.Sum(r => (long)r.Steps);
        long done = 0;
        var seenBlobs = new HashSet<Digest>();
        foreach (var repository in repositories)
        {
            if (!RepositoryName.IsValid(repository.Name))
            {
                report.Skip($"repository {repository.Name}", "not a valid repository name", problem: true);
                done += repository.Steps;
                progress(done, total, repository.Name);
                continue;
            }

            report.Repositories++;
            void Step() => progress(++done, total, repository.Name);
            foreach (var layer in repository.Layers)
            {
                await ImportBlobAsync(tree, repository.Name, layer, seenBlobs, report, cancellationToken);
                Step();
            }

            var refused = await ImportManifestsAsync(tree, repository, report, Step, cancellationToken);
            foreach (var tag in repository.Tags)
            {
                await ImportTagAsync(repository.Name, tag, refused, report, cancellationToken);
                Step();
            }
        }

        return report;
    }

    private async Task ImportBlobAsync(DistributionTree tree, string repository, DistributionLink layer, HashSet<Digest> seen, ImportReport report, CancellationToken cancellationToken)
    {
        if (layer.Digest is not { } digest)
        {
            report.Skip($"blob link {repository}@{layer.Name}", "its link file is missing or unreadable (the blob was deleted from the repository)", problem: false);
            return;
        }

        var source = new FileInfo(tree.BlobData(digest));
        if (!source.Exists)
        {
            report.Skip($"blob link {repository}@{digest}", "the blob's data file is missing (collected by Distribution's garbage collector?)", problem: false);
            return;
        }

        Result<(BlobPlacement Placement, bool NewLink)> imported;
        try
        {
            imported = await blobImporter.ImportAsync(repository, digest, source.FullName, source.Length, cancellationToken);
        }
        catch (UnauthorizedAccessException e)
        {
            // A file the importing user may not read: named, the rest goes on (other I/O errors, such as a full disk, end the run).
            report.Skip($"blob {digest} in {repository}", "cannot be read: " + e.Message, problem: true);
            return;
        }

        if (!imported.IsOk)
        {
            report.Skip($"blob {digest} in {repository}", imported.Error!.EffectiveMessage, problem: true);
            return;
        }

        var (placement, newLink) = imported.Value;
        report.LinksAdded += newLink ? 1 : 0;
        if (!seen.Add(digest))
        {
            return; // Counted once per run, not once per repository linking it.
        }

        switch (placement)
        {
            case BlobPlacement.Linked:
                report.BlobsLinked++;
                report.BytesPlaced += source.Length;
                break;
            case BlobPlacement.Copied:
                report.BlobsCopied++;
                report.BytesPlaced += source.Length;
                break;
            default:
                report.BlobsPresent++;
                break;
        }
    }

    /// <summary>Stores the repository's manifests, children before their indexes; returns those that could not be (problems).</summary>
    private async Task<HashSet<Digest>> ImportManifestsAsync(DistributionTree tree, DistributionRepository repository, ImportReport report, Action step, CancellationToken cancellationToken)
    {
        var name = repository.Name;
        var refused = new HashSet<Digest>();
        // Only digests and children are kept; the bytes are read again when stored (memory stays small for any repository).
        var pending = new List<(Digest Digest, IReadOnlyList<Digest> Children)>();
        foreach (var revision in repository.Revisions)
        {
            if (revision.Digest is not { } digest)
            {
                report.Skip($"manifest {name}@{revision.Name}", "its revision link is missing (the manifest was deleted)", problem: false);
                step();
                continue;
            }

            if (await reader.GetAsync(name, digest, cancellationToken) is not null)
            {
                report.ManifestsPresent++;
                step();
                continue;
            }

            var payload = await ReadManifestAsync(tree, name, digest, report, cancellationToken);
            if (payload is null)
            {
                if (report.Skipped[^1].Problem) // The read reported why; a corrupt one (not a leftover) fails its tags too.
                {
                    refused.Add(digest);
                }

                step();
                continue;
            }

            var parsed = ManifestParser.Parse(payload, null);
            if (!parsed.IsOk)
            {
                report.Skip($"manifest {name}@{digest}", parsed.Error!.EffectiveMessage, problem: true);
                refused.Add(digest);
                step();
                continue;
            }

            pending.Add((digest, [.. parsed.Value.Manifests.Select(m => m.Digest)]));
        }

        // An index is stored after the manifests it names; each pass stores those whose children are in.
        var waiting = pending.Select(p => p.Digest).ToHashSet();
        while (pending.Count > 0)
        {
            var ready = pending.Where(p => p.Children.All(c => !waiting.Contains(c))).ToList();
            if (ready.Count == 0)
            {
                ready = [.. pending]; // A cycle cannot be stored; let the store say why.
            }

            foreach (var manifest in ready)
            {
                pending.Remove(manifest);
                waiting.Remove(manifest.Digest);
                if (await StoreManifestAsync(tree, name, manifest.Digest, report, cancellationToken))
                {
                    report.ManifestsStored++;
                }
                else
                {
                    refused.Add(manifest.Digest);
                }

                step();
            }
        }

        return refused;
    }

    /// <summary>Reads the manifest again and stores it as a push by digest would; false (and reported) when it could not be.</summary>
    private async Task<bool> StoreManifestAsync(DistributionTree tree, string repository, Digest digest, ImportReport report, CancellationToken cancellationToken)
    {
        if (await ReadManifestAsync(tree, repository, digest, report, cancellationToken) is not { } payload)
        {
            return false;
        }

        var put = await manifests.PutAsync(repository, digest.Value, payload, null, cancellationToken);
        if (!put.IsOk)
        {
            report.Skip($"manifest {repository}@{digest}", put.Error!.EffectiveMessage, problem: true);
        }

        return put.IsOk;
    }

    private async Task<byte[]?> ReadManifestAsync(DistributionTree tree, string repository, Digest digest, ImportReport report, CancellationToken cancellationToken)
    {
        var what = $"manifest {repository}@{digest}";
        var file = new FileInfo(tree.BlobData(digest));
        if (!file.Exists)
        {
            report.Skip(what, "its revision link remains but the manifest's blob is missing", problem: false);
            return null;
        }

        if (file.Length > manifestOptions.MaxSize)
        {
            report.Skip(what, $"{file.Length} bytes, more than Manifests:MaxSize ({manifestOptions.MaxSize})", problem: true);
            return null;
        }

        byte[] payload;
        try
        {
            payload = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        }
        catch (UnauthorizedAccessException e)
        {
            report.Skip(what, "cannot be read: " + e.Message, problem: true);
            return null;
        }

        if (Digest.Compute(digest.Algorithm, payload) != digest)
        {
            report.Skip(what, "its blob is corrupt (the bytes hash to another digest)", problem: true);
            return null;
        }

        return payload;
    }

    private async Task ImportTagAsync(string repository, DistributionLink tag, HashSet<Digest> refused, ImportReport report, CancellationToken cancellationToken)
    {
        var what = $"tag {repository}:{tag.Name}";
        if (!TagName.IsValid(tag.Name))
        {
            report.Skip(what, "not a valid tag name", problem: true);
            return;
        }

        if (tag.Digest is not { } target)
        {
            report.Skip(what, "it has no current link (a deleted tag whose index entries remain)", problem: false);
            return;
        }

        var manifest = await reader.GetAsync(repository, target, cancellationToken);
        if (manifest is null)
        {
            var failed = refused.Contains(target);
            report.Skip(what, failed
                ? $"it points to manifest {target}, which could not be imported (see above)"
                : $"it points to manifest {target}, which the repository no longer holds", problem: failed);
            return;
        }

        var current = await reader.GetByTagAsync(repository, tag.Name, cancellationToken);
        if (current?.Digest == target)
        {
            report.TagsPresent++;
            return;
        }

        if (current is not null)
        {
            report.Skip(what, $"Wharf's tag already points to {current.Digest} (pushed since?); kept, not moved to {target}", problem: false);
            return;
        }

        var put = await manifests.PutAsync(repository, tag.Name, manifest.Payload, null, cancellationToken);
        if (put.IsOk)
        {
            report.TagsSet++;
        }
        else
        {
            report.Skip(what, put.Error!.EffectiveMessage, problem: true);
        }
    }
}
