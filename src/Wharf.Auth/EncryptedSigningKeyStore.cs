using Wharf.Core.Metadata;

namespace Wharf.Auth;

/// <summary>
/// A signing key store that keeps private keys encrypted (see <see cref="SigningKeyEncryption"/>): keys are encrypted
/// as they are added and decrypted as they are listed. A key that cannot be decrypted is listed as stored, so the
/// reader finds it unreadable and skips it.
/// </summary>
public sealed class EncryptedSigningKeyStore(ISigningKeyStore inner, SigningKeyEncryption encryption) : ISigningKeyStore
{
    /// <summary><paramref name="store"/>, encrypting when <paramref name="options"/> configure a key encryption key.</summary>
    public static ISigningKeyStore Wrap(ISigningKeyStore store, TokenOptions options) =>
        SigningKeyEncryption.From(options) is { } encryption ? new EncryptedSigningKeyStore(store, encryption) : store;

    public async ValueTask<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await inner.ListAsync(cancellationToken)).Select(k => encryption.Unprotect(k.Kid, k.PrivateKeyPem) is { } pem ? k with { PrivateKeyPem = pem } : k)];

    public ValueTask<bool> AddAsync(SigningKeyRecord key, CancellationToken cancellationToken) =>
        inner.AddAsync(key with { PrivateKeyPem = encryption.Protect(key.Kid, key.PrivateKeyPem) }, cancellationToken);

    public ValueTask<bool> RetireAsync(string kid, DateTimeOffset at, CancellationToken cancellationToken) => inner.RetireAsync(kid, at, cancellationToken);
}
