using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services;

/// <summary>
/// Blob pushes: monolithic, chunked and streamed uploads, cross-repository mounts, and the expiry of
/// abandoned sessions. See docs/design/uploads.md for the protocol and its races.
/// </summary>
public sealed partial class UploadService(
    IStorageDriver storage,
    IBlobIndex blobs,
    IUploadSessionStore sessions,
    IGcStore gc,
    RunningHashes runningHashes,
    KeyedLock locks,
    UploadOptions options,
    TimeProvider time,
    ILogger<UploadService> logger,
    NamespaceQuotas quotas,
    Telemetry.WharfMetrics? metrics = null)
{
    /// <summary>How many repositories holding a blob a mount without <c>from</c> considers under access control.</summary>
    private const int MountCandidates = 1000;

    public async ValueTask<UploadSession> StartAsync(string repository, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = new UploadSession(UploadId.New(), repository, 0, now, now);
        await sessions.CreateAsync(session, cancellationToken);
        return session;
    }

    /// <summary>
    /// Makes an existing blob visible in <paramref name="repository"/>. With <paramref name="from"/>, only a blob
    /// visible in that repository is mounted; without it, any stored blob is. Null means "not mountable"; an error, that
    /// the namespace's quota refuses it.
    /// </summary>
    /// <remarks>
    /// With <paramref name="mayPull"/> (access control on), a source is used only if the caller may pull it: a
    /// <paramref name="from"/> the caller may not pull is ignored, and without <paramref name="from"/> the blob is
    /// taken only from a repository the caller may pull.
    /// </remarks>
    public async ValueTask<Result<BlobInfo?>> MountAsync(string repository, Digest digest, string? from, CancellationToken cancellationToken, Func<string, bool>? mayPull = null)
    {
        var blob = await blobs.GetInRepositoryAsync(repository, digest, cancellationToken);
        if (blob is not null)
        {
            // Linked already, but its bytes may be gone (quarantined by `wharf check --repair`): then the client must
            // upload it, which publishes fresh bytes.
            return await storage.StatAsync(StorageLayout.Blob(digest), cancellationToken) is null ? null : blob;
        }

        if (mayPull is not null && from is not null && !mayPull(from))
        {
            return NotMountable;
        }

        if (mayPull is not null && from is null)
        {
            var holders = await blobs.ListRepositoriesAsync(digest, MountCandidates, cancellationToken);
            from = holders.FirstOrDefault(mayPull);
            if (from is null)
            {
                return NotMountable;
            }
        }

        blob = from is null
            ? await blobs.GetAsync(digest, cancellationToken)
            : await blobs.GetInRepositoryAsync(from, digest, cancellationToken);
        if (blob is null || await storage.StatAsync(StorageLayout.Blob(digest), cancellationToken) is null)
        {
            return NotMountable;
        }

        // Only while the blob is still recorded (the garbage collector may have deleted it since it was looked up), and
        // within the namespace's quota.
        var mounted = await quotas.MountAsync(repository, blob, cancellationToken);
        return !mounted.IsOk ? mounted.Error! : mounted.Value ? blob : NotMountable;
    }

    private static Result<BlobInfo?> NotMountable => Result<BlobInfo?>.Ok(null);

    /// <summary>
    /// Where a whole blob of known digest goes straight to its final place: the driver's content-addressed writes (an
    /// object store), or, for a body announced small enough, the small-blob store whose durability point is the link's
    /// commit. Null: through an upload file and a publish. Small blobs in SQLite took small-image pushes from 128 to 159
    /// images/s sequentially and from 256 to 306 with 8 workers (side by side, one build, 2026-12-07).
    /// </summary>
    private IContentAddressedWrites? DirectWrites(long? contentLength) =>
        storage.GetCapability<IContentAddressedWrites>()
        ?? (contentLength is { } length && storage.GetCapability<ISmallBlobWrites>() is { } small && length <= small.MaxBytes ? small : null);

    /// <summary>A whole blob in one request (<c>POST ?digest=</c> with a body).</summary>
    /// <param name="contentLength">The body's announced length, when known: a small one may be kept inline (<see cref="ISmallBlobWrites"/>).</param>
    public async ValueTask<Result<BlobInfo>> PutMonolithicAsync(string repository, Digest expected, Stream body, CancellationToken cancellationToken, long? contentLength = null)
    {
        if (DirectWrites(contentLength) is { } direct)
        {
            return await WriteDirectAsync(direct, repository, expected, body, null, cancellationToken);
        }

        var path = StorageLayout.Upload(UploadId.New());
        var committed = false;
        try
        {
            using var hash = IncrementalHash.CreateHash(Digest.HashName(expected.Algorithm));
            long size;
            string? version;
            await using (var writer = await storage.OpenWriterAsync(path, 0, cancellationToken))
            {
                size = await BodyCopier.CopyAsync(body, writer, hash, cancellationToken);
                metrics?.BlobBytesIn(size);
                await writer.CommitAsync(cancellationToken);
                version = writer.Version;
            }

            var actual = Digest.FromHash(expected.Algorithm, hash.GetHashAndReset());
            if (actual != expected)
            {
                return new RegistryError(ErrorCode.DigestInvalid, $"content digest is {actual}, not {expected}");
            }

            var (blob, _) = await CommitBlobAsync(repository, path, expected, size, null, version, gc.HoldBlobAsync(expected, cancellationToken).AsTask(), cancellationToken);
            committed = blob.IsOk;
            return blob;
        }
        finally
        {
            if (!committed)
            {
                await storage.DeleteAsync(path, CancellationToken.None);
            }
        }
    }

    public async ValueTask<Result<UploadSession>> GetAsync(string repository, string id, CancellationToken cancellationToken)
    {
        var session = await FindAsync(repository, id, cancellationToken);
        return session is null ? ErrorCode.BlobUploadUnknown : session;
    }

    /// <summary>
    /// Appends a chunk (<paramref name="range"/> given) or a stream (no range) to an upload. The bytes are durable
    /// before the session records them, so a crash never leaves a session claiming bytes it lacks.
    /// </summary>
    public async ValueTask<Result<UploadSession>> AppendAsync(
        string repository, string id, Stream body, ChunkRange? range, long? contentLength, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var session = await FindAsync(repository, id, cancellationToken);
        return session is null
            ? ErrorCode.BlobUploadUnknown
            : await AppendLockedAsync(session, body, range, contentLength, record: true, cancellationToken);
    }

    /// <summary>Finishes an upload, with an optional last chunk in <paramref name="body"/>.</summary>
    public async ValueTask<Result<BlobInfo>> CompleteAsync(
        string repository, string id, Digest expected, Stream body, ChunkRange? range, long? contentLength, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var found = await FindAsync(repository, id, cancellationToken);
        if (found is null)
        {
            return ErrorCode.BlobUploadUnknown;
        }

        if (found.Size == 0 && range is null && DirectWrites(contentLength) is { } direct)
        {
            // Nothing uploaded before this PUT: its body is the whole blob (POST, then PUT with the body).
            var written = await WriteDirectAsync(direct, repository, expected, body, id, cancellationToken);
            if (!written.IsOk)
            {
                await DiscardAsync(id);
            }

            return written;
        }

        // The last chunk's size is not recorded on its own: the commit below removes the session anyway.
        var appended = await AppendLockedAsync(found, body, range, contentLength, record: false, cancellationToken);
        if (!appended.IsOk)
        {
            return appended.Error!;
        }

        var session = appended.Value;
        var path = StorageLayout.Upload(id);
        // The digest is held against the garbage collector while the hash is finished (docs/design/gc.md).
        var hold = gc.HoldBlobAsync(expected, cancellationToken).AsTask();
        try
        {
            return await CompleteLockedAsync(repository, id, expected, session, path, hold, cancellationToken);
        }
        finally
        {
            await hold.SettledAsync();
        }
    }

    private async ValueTask<Result<BlobInfo>> CompleteLockedAsync(
        string repository, string id, Digest expected, UploadSession session, string path, Task hold, CancellationToken cancellationToken)
    {
        // This process's running hash describes the version it wrote last. It is not checked against storage first: the
        // publish places only that version, and if another instance rewrote the upload since (SourceChanged), the stored
        // bytes are hashed again and published as the version they were read as. One HEAD fewer per commit on S3.
        var (hash, version) = expected.Algorithm == Digest.Sha256 ? runningHashes.Take(id, session.Size) : (null, null);
        while (true)
        {
            byte[] digestBytes;
            var fromRunningHash = hash is not null;
            if (hash is not null)
            {
                digestBytes = hash.GetHashAndReset();
                hash.Dispose();
                hash = null;
            }
            else
            {
                // The version seen before reading is the one verified: if the object changes while it is hashed, the
                // publish below finds another version and refuses (versions are never reused).
                var stored = await storage.StatAsync(path, cancellationToken);
                if (stored is null && session.Size > 0)
                {
                    // The session's bytes are gone: the process died after publishing them and before recording the link.
                    await DiscardAsync(id);
                    return UploadBytesGone();
                }

                if (stored is null)
                {
                    await CreateEmptyAsync(path, cancellationToken);
                    stored = await storage.StatAsync(path, cancellationToken);
                }

                version = stored?.Version;

                LogRehash(logger, id, session.Size);
                digestBytes = await BodyCopier.HashStoredAsync(storage, path, Digest.HashName(expected.Algorithm), cancellationToken);
            }

            var actual = Digest.FromHash(expected.Algorithm, digestBytes);
            if (actual != expected)
            {
                await DiscardAsync(id);
                return new RegistryError(ErrorCode.DigestInvalid, $"content digest is {actual}, not {expected}");
            }

            var (blob, changed) = await CommitBlobAsync(repository, path, expected, session.Size, id, version, hold, cancellationToken);
            if (changed && fromRunningHash)
            {
                LogRewrittenElsewhere(logger, id);
                continue;
            }

            runningHashes.Forget(id);
            if (!blob.IsOk)
            {
                await DiscardAsync(id);
            }

            return blob;
        }
    }

    public async ValueTask<Result<bool>> CancelAsync(string repository, string id, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(id, cancellationToken);
        if (await FindAsync(repository, id, cancellationToken) is null)
        {
            return ErrorCode.BlobUploadUnknown;
        }

        await DiscardAsync(id);
        return true;
    }

    /// <summary>Removes sessions idle for longer than the expiry, and upload files no session owns. Returns how many went.</summary>
    public async ValueTask<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.ExpireAfter;
        var removed = 0;
        foreach (var stale in await sessions.ListStaleAsync(cutoff, 1000, cancellationToken))
        {
            await DiscardAsync(stale.Id);
            removed++;
        }

        await foreach (var name in storage.ListAsync(StorageLayout.UploadsRoot, cancellationToken))
        {
            var path = StorageLayout.UploadsRoot + "/" + name;
            if (UploadId.IsValid(name)
                && await sessions.GetAsync(name, cancellationToken) is null
                && await storage.StatAsync(path, cancellationToken) is { } info
                && info.LastModified < cutoff)
            {
                await storage.DeleteAsync(path, cancellationToken);
                removed++;
            }
        }

        if (storage.GetCapability<IStorageCleanup>() is { } cleanup)
        {
            removed += await cleanup.RemoveAbandonedAsync(cutoff, cancellationToken);
        }

        return removed;
    }

    private async ValueTask<Result<UploadSession>> AppendLockedAsync(
        UploadSession session, Stream body, ChunkRange? range, long? contentLength, bool record, CancellationToken cancellationToken)
    {
        var id = session.Id;
        if (range is { } r)
        {
            if (r.Start != session.Size)
            {
                return new RegistryError(ErrorCode.RangeInvalid, $"chunk starts at {r.Start}, but the upload holds {session.Size} bytes");
            }

            if (contentLength is { } length && length != r.Length)
            {
                return new RegistryError(ErrorCode.SizeInvalid, $"Content-Range covers {r.Length} bytes but Content-Length is {length}");
            }
        }

        if (contentLength == 0 && session.Size > 0)
        {
            return session;
        }

        // The running hash's version is compared with the bytes the writer keeps (BaseVersion) below: no HEAD first.
        var (hash, hashVersion) = runningHashes.Take(id, session.Size);
        var path = StorageLayout.Upload(id);
        long written;
        string? version;
        try
        {
            await using var writer = await storage.OpenWriterAsync(path, session.Size, cancellationToken);
            written = await BodyCopier.CopyAsync(body, writer, hash, cancellationToken);
            metrics?.BlobBytesIn(written);
            if (range is { } rr && written != rr.Length)
            {
                hash?.Dispose();
                return new RegistryError(ErrorCode.SizeInvalid, $"Content-Range covers {rr.Length} bytes but the body had {written}");
            }

            await writer.CommitAsync(cancellationToken);
            version = writer.Version;
            if (hash is not null && hashVersion is not null && writer.BaseVersion != hashVersion)
            {
                // The object was rewritten elsewhere between the version check and the writer keeping its first
                // bytes: the running hash describes other bytes than the stored ones.
                LogRewrittenElsewhere(logger, id);
                hash.Dispose();
                hash = null;
            }
        }
        catch (FileNotFoundException) when (session.Size > 0)
        {
            // Continuing bytes that are gone (see UploadBytesGone): the upload cannot be finished, only started again.
            hash?.Dispose();
            await DiscardAsync(id);
            return UploadBytesGone();
        }
        catch
        {
            hash?.Dispose();
            throw;
        }

        var newSize = session.Size + written;
        var now = time.GetUtcNow();
        if (record && written > 0 && !await sessions.AdvanceAsync(id, session.Size, newSize, now, cancellationToken))
        {
            hash?.Dispose();
            return new RegistryError(ErrorCode.RangeInvalid, "the upload changed while this chunk was written");
        }

        if (hash is not null)
        {
            runningHashes.Return(id, hash, newSize, version);
        }

        return session with { Size = newSize, UpdatedAt = now };
    }

    private async ValueTask<UploadSession?> FindAsync(string repository, string id, CancellationToken cancellationToken)
    {
        var session = await sessions.GetAsync(id, cancellationToken);
        if (session is null || session.Repository != repository)
        {
            return null;
        }

        if (session.UpdatedAt + options.ExpireAfter <= time.GetUtcNow())
        {
            await DiscardAsync(id);
            return null;
        }

        return session;
    }

    /// <summary>
    /// Publishes the verified upload object under its digest: only if it still has <paramref name="version"/>, the
    /// version whose bytes were hashed (closing the window between the hash check and the commit), then links it.
    /// Changed is true when the upload no longer had that version (nothing was published, the upload is left as it is).
    /// </summary>
    /// <remarks>
    /// Whether the blob is stored already is not asked first: the publish keeps an existing destination and says so (on
    /// S3 a create-only write finds it, so a small commit is three requests). Only then is its size checked.
    /// </remarks>
    private async ValueTask<(Result<BlobInfo> Blob, bool Changed)> CommitBlobAsync(
        string repository, string uploadPath, Digest digest, long size, string? uploadId, string? version, Task hold, CancellationToken cancellationToken)
    {
        var blobPath = StorageLayout.Blob(digest);
        // Bytes found at the blob's path from here on are never deleted under this commit (docs/design/gc.md).
        await hold;
        if (await quotas.RefusalAsync(repository, digest, size, cancellationToken) is { } overQuota)
        {
            return (overQuota, false); // Before publishing: the caller discards the upload's bytes.
        }

        switch (await storage.PublishAsync(uploadPath, blobPath, version, cancellationToken))
        {
            case PublishOutcome.SourceChanged:
                return (new RegistryError(ErrorCode.DigestInvalid, "the upload was changed by another request while it was being committed"), true);
            case PublishOutcome.SourceMissing:
                return (new RegistryError(ErrorCode.BlobUploadUnknown, "the upload was removed while it was being committed"), false);
            case PublishOutcome.DestinationExisted when await storage.StatAsync(blobPath, cancellationToken) is { } damaged && damaged.Size != size:
                // Not something Wharf wrote (a digest's object always has that digest's size). It is removed, and the
                // client's next push of the blob stores it whole.
                LogDamagedBlob(logger, digest.Value, damaged.Size, size);
                await storage.DeleteAsync(blobPath, cancellationToken);
                return (new RegistryError(ErrorCode.BlobUploadUnknown, "the stored copy of this blob was damaged and has been removed: push it again"), false);
        }

        var blob = new BlobInfo(digest, size);
        // A push racing this one may have taken the room meanwhile: then the bytes just published stay unlinked, for
        // garbage collection (deleting them here could remove a blob another namespace linked since).
        return (await quotas.LinkAsync(repository, blob, uploadId, cancellationToken) is { } refused ? refused : blob, false);
    }

    /// <summary>
    /// A whole blob of known digest, written straight to its final path (see <see cref="IContentAddressedWrites"/>): the
    /// bytes appear there only after the digest checked out, and only if the blob is not stored yet. Whether it is, is
    /// asked while the body is still arriving.
    /// </summary>
    private async ValueTask<Result<BlobInfo>> WriteDirectAsync(
        IContentAddressedWrites direct, string repository, Digest expected, Stream body, string? uploadId, CancellationToken cancellationToken)
    {
        var blobPath = StorageLayout.Blob(expected);
        var stored = LookUpHeldAsync(expected, cancellationToken);
        long size;
        try
        {
            await using var writer = await direct.OpenContentWriterAsync(blobPath, cancellationToken);
            using var hash = IncrementalHash.CreateHash(Digest.HashName(expected.Algorithm));
            size = await BodyCopier.CopyAsync(body, writer, hash, cancellationToken);
            metrics?.BlobBytesIn(size);
            var actual = Digest.FromHash(expected.Algorithm, hash.GetHashAndReset());
            if (actual != expected)
            {
                return new RegistryError(ErrorCode.DigestInvalid, $"content digest is {actual}, not {expected}");
            }

            var existing = await stored;
            if (existing is { } damaged && damaged.Size != size)
            {
                LogDamagedBlob(logger, expected.Value, damaged.Size, size);
                await storage.DeleteAsync(blobPath, cancellationToken);
                existing = null;
            }

            if (await quotas.RefusalAsync(repository, expected, size, cancellationToken) is { } overQuota)
            {
                return overQuota; // The writer is never committed: the bytes are discarded.
            }

            if (existing is null)
            {
                await writer.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await stored.SettledAsync();
        }

        var blob = new BlobInfo(expected, size);
        return await quotas.LinkAsync(repository, blob, uploadId, cancellationToken) is { } refused ? refused : blob;
    }

    /// <summary>
    /// Whether the blob is stored, asked only after holding the digest against the garbage collector: bytes found here
    /// are never deleted under the commit that goes on to use them (docs/design/gc.md).
    /// </summary>
    private async Task<StorageObjectInfo?> LookUpHeldAsync(Digest digest, CancellationToken cancellationToken)
    {
        await gc.HoldBlobAsync(digest, cancellationToken);
        return await storage.StatAsync(StorageLayout.Blob(digest), cancellationToken);
    }

    /// <summary>
    /// A session whose bytes are gone, as a kill between the publish of its bytes and the link leaves it: the client
    /// must start the upload again (its bytes are then found under the digest), not be told that its digest is wrong.
    /// </summary>
    private static RegistryError UploadBytesGone() =>
        new(ErrorCode.BlobUploadUnknown, "the upload's bytes are gone (the registry stopped while committing it): start the upload again");

    private async ValueTask CreateEmptyAsync(string path, CancellationToken cancellationToken)
    {
        await using var writer = await storage.OpenWriterAsync(path, 0, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    private async ValueTask DiscardAsync(string id)
    {
        runningHashes.Forget(id);
        await storage.DeleteAsync(StorageLayout.Upload(id), CancellationToken.None);
        await sessions.DeleteAsync(id, CancellationToken.None);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Re-hashing {Size} stored bytes of upload {UploadId}")]
    private static partial void LogRehash(ILogger logger, string uploadId, long size);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "The object of blob {Digest} held {Stored} bytes instead of {Size}; removing it")]
    private static partial void LogDamagedBlob(ILogger logger, string digest, long stored, long size);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Upload {UploadId} was rewritten by another instance since this one wrote it; its running hash is dropped")]
    private static partial void LogRewrittenElsewhere(ILogger logger, string uploadId);
}
