using Microsoft.IdentityModel.Tokens;

namespace Wharf.Auth;

/// <summary>A usable signing key: the security key (with its kid), its algorithm, its place among the keys of that algorithm, and its age.</summary>
public sealed record SigningKeyMaterial(SecurityKey Key, string Algorithm, long Generation, DateTimeOffset CreatedAt);

/// <summary>Where <see cref="SigningKeys"/> come from: the metadata store (shared by every instance) or a key directory.</summary>
public interface ISigningKeySource
{
    /// <summary>A short description for logs and errors, e.g. "the metadata store" or the directory path.</summary>
    string Description { get; }

    /// <summary>
    /// Every key that may verify (retired ones left out). When none of <paramref name="algorithm"/> is among them, one
    /// is created first, safely against other processes doing the same at the same moment: all of them end up with
    /// the one key that won.
    /// </summary>
    Task<IReadOnlyList<SigningKeyMaterial>> LoadOrCreateAsync(string algorithm, CancellationToken cancellationToken);
}
