using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Gc;

/// <summary>
/// Finds storage objects that no metadata row names: layer listings of blobs that are gone, listings left half
/// written by a crash (<c>listings/partial/</c>) and, when asked (the offline collector), blob objects with no
/// <c>blobs</c> row. Only objects last written before the cut-off are touched: a listing being built or a blob
/// being committed right now is younger. Abandoned upload objects are the upload janitor's.
/// </summary>
public sealed class OrphanScanner(IStorageDriver storage, IGcStore store)
{
    private const int DigestsPerQuery = 500;
    private Action? _examined;

    /// <summary>Removes (or, with <paramref name="dryRun"/>, only reports) what it finds; returns how many objects.</summary>
    /// <remarks><paramref name="examined"/>, when given, is called once per object looked at (for a progress display).</remarks>
    public async ValueTask<int> RemoveAsync(DateTimeOffset olderThan, bool dryRun, Action<string> report, CancellationToken cancellationToken, bool includeBlobs = false, Action? examined = null)
    {
        _examined = examined;
        var found = 0;
        await foreach (var key in storage.ListAsync(StorageLayout.ListingsRoot, cancellationToken))
        {
            if (key == "partial")
            {
                await foreach (var name in storage.ListAsync(StorageLayout.ListingsRoot + "/partial", cancellationToken))
                {
                    found += await RemoveIfOldAsync(StorageLayout.ListingsRoot + "/partial/" + name, olderThan, dryRun, report, cancellationToken) ? 1 : 0;
                }

                continue;
            }

            found += await SweepDigestTreeAsync(StorageLayout.ListingsRoot + "/" + key, olderThan, dryRun, report, cancellationToken);
        }

        if (includeBlobs)
        {
            found += await SweepDigestTreeAsync(StorageLayout.BlobsRoot, olderThan, dryRun, report, cancellationToken);
        }

        return found;
    }

    /// <summary>Walks <c>{root}/{algorithm}/{xx}/{encoded}</c> and removes the objects whose digest has no <c>blobs</c> row.</summary>
    private async ValueTask<int> SweepDigestTreeAsync(string root, DateTimeOffset olderThan, bool dryRun, Action<string> report, CancellationToken cancellationToken)
    {
        var found = 0;
        var pending = new List<(string Path, string Digest)>();
        await foreach (var algorithm in storage.ListAsync(root, cancellationToken))
        {
            await foreach (var prefix in storage.ListAsync($"{root}/{algorithm}", cancellationToken))
            {
                await foreach (var encoded in storage.ListAsync($"{root}/{algorithm}/{prefix}", cancellationToken))
                {
                    _examined?.Invoke();
                    if (Digest.TryParse($"{algorithm}:{encoded}", out var digest))
                    {
                        pending.Add(($"{root}/{algorithm}/{prefix}/{encoded}", digest.Value));
                    }

                    if (pending.Count == DigestsPerQuery)
                    {
                        found += await SweepAsync(pending, olderThan, dryRun, report, cancellationToken);
                        pending.Clear();
                    }
                }
            }
        }

        return found + await SweepAsync(pending, olderThan, dryRun, report, cancellationToken);
    }

    private async ValueTask<int> SweepAsync(List<(string Path, string Digest)> objects, DateTimeOffset olderThan, bool dryRun, Action<string> report, CancellationToken cancellationToken)
    {
        var recorded = await store.FindRecordedAsync(objects.Select(o => o.Digest).ToList(), cancellationToken);
        var found = 0;
        foreach (var (path, digest) in objects)
        {
            if (!recorded.Contains(digest) && await RemoveIfOldAsync(path, olderThan, dryRun, report, cancellationToken))
            {
                found++;
            }
        }

        return found;
    }

    private async ValueTask<bool> RemoveIfOldAsync(string path, DateTimeOffset olderThan, bool dryRun, Action<string> report, CancellationToken cancellationToken)
    {
        if (await storage.StatAsync(path, cancellationToken) is not { } info || info.LastModified >= olderThan)
        {
            return false;
        }

        report(path);
        if (!dryRun)
        {
            await storage.DeleteAsync(path, cancellationToken);
        }

        return true;
    }
}
