using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>Which blobs are stored, and which repositories may see them.</summary>
public interface IBlobIndex
{
    /// <summary>The blob if any repository may see it, else null.</summary>
    ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>The blob if <paramref name="repository"/> may see it, else null.</summary>
    ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Records a durable blob and makes it visible to <paramref name="repository"/> (creating the repository).
    /// With <paramref name="completedUpload"/>, that upload session is removed in the same transaction. Idempotent.
    /// </summary>
    ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a blob that is already recorded visible to <paramref name="repository"/> (a mount). False, and nothing
    /// changes, when the blob is not recorded (any more): the garbage collector may have just deleted it.
    /// </summary>
    ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> repositories that may see the blob, in lexical order.</summary>
    ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken);

    /// <summary>Hides a blob from a repository. False when it was not visible there.</summary>
    ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken);
}

/// <summary>Reads manifests and tags.</summary>
public interface IManifestReader
{
    ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>The manifest a tag points to, or null when the tag (or repository) is unknown.</summary>
    ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken);

    /// <summary>Tags in lexical order after <paramref name="last"/>; null when the repository is unknown.</summary>
    ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken);

    /// <summary>Manifests in <paramref name="repository"/> whose subject is <paramref name="subject"/>, optionally of one artifact type.</summary>
    ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken);
}

/// <summary>Writes manifests and tags. Each call is one transaction.</summary>
public interface IManifestWriter
{
    /// <summary>
    /// Stores the manifest (idempotent) and, when <paramref name="tag"/> is given, points the tag at it,
    /// after checking in the same transaction that every referenced blob and child manifest is present in the repository.
    /// </summary>
    ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken);

    /// <summary>Deletes a manifest and every tag pointing to it. False when it did not exist.</summary>
    ValueTask<bool> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Deletes only a tag. False when it did not exist.</summary>
    ValueTask<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes only a tag, and only while it points to <paramref name="expected"/>: the check and the delete are one
    /// atomic step in the store, so a tag pushed again by someone else in the meantime is never removed.
    /// </summary>
    ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken);

    /// <summary>
    /// An optional capability of the store (<see cref="IProtectedTagWriter"/>), or null. Asked, never found with an
    /// <c>is</c> check, so that a decorator can forward the question (or answer it itself) and wrapping keeps it.
    /// </summary>
    T? GetCapability<T>()
        where T : class => this as T;
}

/// <summary>The catalog of repositories.</summary>
public interface IRepositoryReader
{
    /// <summary>Repository names in lexical order after <paramref name="last"/>.</summary>
    ValueTask<Page<string>> ListAsync(string? last, int limit, CancellationToken cancellationToken);
}

/// <summary>Upload sessions, shared by every instance.</summary>
public interface IUploadSessionStore
{
    ValueTask CreateAsync(UploadSession session, CancellationToken cancellationToken);

    /// <summary>The session, or null when unknown.</summary>
    ValueTask<UploadSession?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records progress only if the stored size is still <paramref name="expectedSize"/>; false otherwise.</summary>
    ValueTask<bool> AdvanceAsync(string id, long expectedSize, long newSize, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes a session. False when it was already gone.</summary>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Sessions with no activity since <paramref name="before"/>, at most <paramref name="limit"/>.</summary>
    ValueTask<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}

/// <summary>Wharf's users. Each write is one transaction.</summary>
public interface IUserStore
{
    /// <summary>The user, or null when unknown.</summary>
    ValueTask<UserRecord?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every user, by name.</summary>
    ValueTask<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds a user. False (and nothing changes) when the name is taken.</summary>
    ValueTask<bool> CreateAsync(UserRecord user, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a user's password hash and, when given, groups. A new password also replaces the user's session epoch
    /// and revokes the user's refresh token families, which ends every web session and refresh token issued before.
    /// False when the user is unknown.
    /// </summary>
    ValueTask<bool> UpdateAsync(string name, string passwordHash, IReadOnlyList<string>? groups, CancellationToken cancellationToken);

    /// <summary>Removes a user and, in the same transaction, the user's personal access tokens and refresh token families. False when unknown.</summary>
    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// Refresh token families: each sign-in that asks for a refresh token starts one, and each refresh token is good
/// for one use, handing over to the next of its family. Each write is one transaction.
/// </summary>
public interface IRefreshTokenStore
{
    /// <summary>
    /// Starts a family whose current token is <paramref name="tokenId"/>; a <paramref name="reusable"/> one keeps that
    /// token for good (see <see cref="RefreshRotation.Kept"/>). Also forgets families expired by <paramref name="now"/>.
    /// </summary>
    ValueTask CreateAsync(string family, string subject, string tokenId, DateTimeOffset expiresAt, bool reusable, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Uses <paramref name="tokenId"/> of <paramref name="family"/>: when it is the family's current token (and the family
    /// is neither revoked nor expired) <paramref name="nextId"/>, valid until <paramref name="expiresAt"/>, becomes current;
    /// when it is a spent one, the family is revoked; when the family is reusable and the token its one token, nothing
    /// changes (<see cref="RefreshRotation.Kept"/>). Exactly one of two concurrent uses of one token rotates.
    /// </summary>
    ValueTask<RefreshRotation> RotateAsync(string family, string tokenId, string nextId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Personal access tokens and robot accounts. Each write is one transaction.</summary>
public interface IAccessTokenStore
{
    /// <summary>Stores a new token. False when the id is taken.</summary>
    ValueTask<bool> CreateAsync(AccessTokenRecord token, CancellationToken cancellationToken);

    /// <summary>The token (revoked or not), or null when unknown. Always reads the committed row: revocation is seen at once.</summary>
    ValueTask<AccessTokenRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Tokens of one subject, or all when <paramref name="subject"/> is null, by creation time.</summary>
    ValueTask<IReadOnlyList<AccessTokenRecord>> ListAsync(string? subject, CancellationToken cancellationToken);

    /// <summary>Marks a token revoked. False when unknown or already revoked. Idempotent in effect.</summary>
    ValueTask<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>
/// Wharf's own token signing keys, shared by every instance on the database. A key is never changed once
/// stored, except to retire it. Each write is one transaction.
/// </summary>
public interface ISigningKeyStore
{
    /// <summary>Every key, retired ones included, by algorithm then generation.</summary>
    ValueTask<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a key unless its (algorithm, generation) or its kid is taken; false then, and nothing changes.
    /// Two instances adding the next generation at once: exactly one succeeds.
    /// </summary>
    ValueTask<bool> AddAsync(SigningKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Marks a key retired (it neither signs nor verifies any more). False when unknown or already retired.</summary>
    ValueTask<bool> RetireAsync(string kid, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>
/// Failed logins, counted per key (<c>ip:&lt;address&gt;</c>, <c>user:&lt;address&gt;/&lt;name&gt;</c>) by every instance
/// on the database: one insert per counted failure, a read per key per login attempt.
/// </summary>
public interface ILoginFailureStore
{
    /// <summary>Records one failure at <paramref name="at"/> against each of <paramref name="keys"/>, in one transaction.</summary>
    ValueTask RecordAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// For each key, its <paramref name="count"/>-th most recent failure later than <paramref name="since"/>; the
    /// latest of these over all keys, or null when no key has <paramref name="count"/> failures since then.
    /// </summary>
    ValueTask<DateTimeOffset?> NthLatestAsync(IReadOnlyList<string> keys, int count, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Removes every failure at or before <paramref name="before"/>; returns how many.</summary>
    ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
