using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Wharf.Core.Services;

/// <summary>
/// The sha256 state of uploads this process has been receiving, so that committing a chunked upload
/// needs no second read of its bytes. A missing or stale entry only costs a re-hash of what is stored.
/// Each entry remembers the storage version of the object it describes: with shared storage another
/// instance may rewrite the object, and then the hash no longer describes what is stored.
/// </summary>
public sealed class RunningHashes
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(IncrementalHash Hash, long Offset, string? Version);

    /// <summary>
    /// Takes the hash of <paramref name="uploadId"/> if it covers exactly <paramref name="offset"/> bytes; the caller
    /// then owns it, and must check that the stored object still has <c>Version</c> (when not null) before trusting it.
    /// </summary>
    public (IncrementalHash? Hash, string? Version) Take(string uploadId, long offset)
    {
        if (!_entries.TryRemove(uploadId, out var entry))
        {
            return (offset == 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null, null);
        }

        if (entry.Offset == offset)
        {
            return (entry.Hash, entry.Version);
        }

        entry.Hash.Dispose();
        return (null, null);
    }

    /// <summary>Gives a hash back after <paramref name="offset"/> bytes have been durably received into an object of <paramref name="version"/>.</summary>
    public void Return(string uploadId, IncrementalHash hash, long offset, string? version)
    {
        var old = _entries.GetOrAdd(uploadId, _ => new Entry(hash, offset, version));
        if (!ReferenceEquals(old.Hash, hash))
        {
            hash.Dispose();
        }
    }

    public void Forget(string uploadId)
    {
        if (_entries.TryRemove(uploadId, out var entry))
        {
            entry.Hash.Dispose();
        }
    }
}
