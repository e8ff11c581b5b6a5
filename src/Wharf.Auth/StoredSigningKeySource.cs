using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Wharf.Core.Metadata;

namespace Wharf.Auth;

/// <summary>
/// Signing keys in the metadata store, so that every instance on one database signs and verifies with the same
/// keys. A missing key is created with an insert of the next generation that only one process can win (a unique
/// key on algorithm and generation); whoever loses reads the winner's key.
/// </summary>
/// <param name="legacyDirectory">
/// The key directory older versions used by default (<c>&lt;Data&gt;/auth-keys</c>): its keys are imported once, when
/// the store holds no key at all, so that tokens issued before the upgrade stay valid. Null: no import.
/// </param>
public sealed partial class StoredSigningKeySource(ISigningKeyStore store, TimeProvider time, ILogger<StoredSigningKeySource> logger, string? legacyDirectory = null)
    : ISigningKeySource
{
    private const int Attempts = 5;

    // Keys already read, by kid: a reload every minute reuses them instead of parsing the PEM again.
    private readonly ConcurrentDictionary<string, (SecurityKey Key, string Algorithm)?> _read = new(StringComparer.Ordinal);

    public string Description => "the metadata store";

    public async Task<IReadOnlyList<SigningKeyMaterial>> LoadOrCreateAsync(string algorithm, CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(cancellationToken);
        if (stored.Count == 0 && legacyDirectory is not null && Directory.Exists(legacyDirectory))
        {
            await ImportAsync(legacyDirectory, cancellationToken);
            stored = await store.ListAsync(cancellationToken);
        }

        for (var attempt = 0; !stored.Any(k => k.Algorithm == algorithm && k.RetiredAt is null); attempt++)
        {
            if (attempt == Attempts)
            {
                throw new InvalidOperationException($"could not create a {algorithm} signing key in the metadata store");
            }

            if (await AddNextAsync(store, stored, algorithm, time, cancellationToken) is { } created)
            {
                LogCreated(logger, algorithm, created.Kid, created.Generation);
            }

            // Won or lost, the key to use is whatever the store holds now.
            stored = await store.ListAsync(cancellationToken);
        }

        return Usable(stored);
    }

    /// <summary>
    /// Creates a key of <paramref name="algorithm"/> as the generation after the newest in <paramref name="stored"/>
    /// (what the store held when read): the new key, or null when another process added that generation first.
    /// </summary>
    public static async Task<SigningKeyRecord?> AddNextAsync(
        ISigningKeyStore store, IReadOnlyList<SigningKeyRecord> stored, string algorithm, TimeProvider time, CancellationToken cancellationToken)
    {
        var generation = stored.Where(k => k.Algorithm == algorithm).Select(k => k.Generation).DefaultIfEmpty(0).Max() + 1;
        var (kid, pem) = SigningKeyPem.Create(algorithm);
        var key = new SigningKeyRecord(kid, algorithm, generation, pem, time.GetUtcNow(), null);
        return await store.AddAsync(key, cancellationToken) ? key : null;
    }

    /// <summary>The keys that may verify, as security keys; a row whose PEM cannot be read is skipped (and logged).</summary>
    private List<SigningKeyMaterial> Usable(IReadOnlyList<SigningKeyRecord> stored)
    {
        var keys = new List<SigningKeyMaterial>(stored.Count);
        foreach (var record in stored.Where(k => k.RetiredAt is null))
        {
            if (_read.GetOrAdd(record.Kid, _ => SigningKeyPem.Read(record.PrivateKeyPem)) is { } loaded && loaded.Algorithm == record.Algorithm)
            {
                keys.Add(new SigningKeyMaterial(loaded.Key, record.Algorithm, record.Generation, record.CreatedAt));
            }
            else
            {
                LogUnreadable(logger, record.Kid);
            }
        }

        return keys;
    }

    /// <summary>Copies the legacy directory's keys into the empty store, oldest first; stops as soon as another process got there first.</summary>
    private async Task ImportAsync(string directory, CancellationToken cancellationToken)
    {
        var generations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*.pem").OrderBy(File.GetLastWriteTimeUtc))
        {
            var pem = await File.ReadAllTextAsync(file, cancellationToken);
            if (SigningKeyPem.Read(pem) is not { } loaded)
            {
                continue;
            }

            var generation = generations[loaded.Algorithm] = generations.GetValueOrDefault(loaded.Algorithm) + 1;
            var written = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            if (!await store.AddAsync(new SigningKeyRecord(loaded.Key.KeyId, loaded.Algorithm, generation, pem.Trim() + "\n", written, null), cancellationToken))
            {
                return;
            }

            LogImported(logger, loaded.Key.KeyId, file);
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Created {Algorithm} token signing key {Kid} (generation {Generation}) in the metadata store")]
    private static partial void LogCreated(ILogger logger, string algorithm, string kid, int generation);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Imported token signing key {Kid} from {File} into the metadata store; the file is no longer read")]
    private static partial void LogImported(ILogger logger, string kid, string file);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Token signing key {Kid} in the metadata store cannot be read; it is ignored")]
    private static partial void LogUnreadable(ILogger logger, string kid);
}
