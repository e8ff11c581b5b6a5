using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Auth;

/// <summary>Signing keys encrypted at rest with a key encryption key (AES-256-GCM), and the keys stored in clear before.</summary>
public sealed class EncryptedSigningKeyTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _temp = new("wharf-kek");
    private readonly string _kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private SqliteDatabase? _database;

    private ISigningKeyStore Raw => new SqlSigningKeyStore(_database!);

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(_temp.Combine("wharf.db"));
        await _database.MigrateAsync(None);
    }

    public Task DisposeAsync()
    {
        _database?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private SigningKeys Keys(string? kek) =>
        new(new StoredSigningKeySource(EncryptedSigningKeyStore.Wrap(Raw, new TokenOptions { KeyEncryptionKey = kek }), _time, NullLogger<StoredSigningKeySource>.Instance), "ES256", _time);

    private (TokenIssuer Issuer, TokenValidator Validator) Tokens(SigningKeys keys)
    {
        var options = new AuthOptions { Mode = AuthMode.Token };
        return (new TokenIssuer(options, keys, new AccessPolicy(options), _time), new TokenValidator(options, keys, _time));
    }

    [Fact]
    public async Task A_key_created_with_a_key_encryption_key_is_stored_encrypted_and_signs_and_verifies()
    {
        var keys = Keys(_kek);
        await keys.InitializeAsync(None);

        var stored = Assert.Single(await Raw.ListAsync(None));
        Assert.StartsWith(SigningKeyEncryption.Prefix, stored.PrivateKeyPem, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", stored.PrivateKeyPem, StringComparison.Ordinal);
        var restarted = Keys(_kek);
        await restarted.InitializeAsync(None);
        var issued = Tokens(keys).Issuer.Issue(new Principal("alice", []), [], offline: false);
        Assert.Equal("alice", (await Tokens(restarted).Validator.ValidateAccessAsync(issued.AccessToken))?.Subject);
    }

    [Fact]
    public async Task Without_the_right_key_encryption_key_a_stored_key_is_unreadable()
    {
        await Keys(_kek).InitializeAsync(None);
        var stored = Assert.Single(await Raw.ListAsync(None));
        var other = new SigningKeyEncryption(RandomNumberGenerator.GetBytes(32));

        Assert.Null(other.Unprotect(stored.Kid, stored.PrivateKeyPem));
        Assert.Null(SigningKeyPem.Read(stored.PrivateKeyPem));
        var swapped = new SigningKeyEncryption(Convert.FromBase64String(_kek));
        Assert.Null(swapped.Unprotect("another-kid", stored.PrivateKeyPem)); // the kid is bound: rows cannot be swapped
        Assert.NotNull(SigningKeyPem.Read(swapped.Unprotect(stored.Kid, stored.PrivateKeyPem)!));
    }

    [Fact]
    public async Task Keys_stored_in_clear_before_still_load_and_a_rotation_adds_an_encrypted_one()
    {
        var before = Keys(kek: null);
        await before.InitializeAsync(None);
        var issued = Tokens(before).Issuer.Issue(new Principal("alice", []), [], offline: false);

        var encrypting = EncryptedSigningKeyStore.Wrap(Raw, new TokenOptions { KeyEncryptionKey = _kek });
        await StoredSigningKeySource.AddNextAsync(encrypting, await encrypting.ListAsync(None), "ES256", _time, None);
        var after = Keys(_kek);
        await after.InitializeAsync(None);

        Assert.Equal("alice", (await Tokens(after).Validator.ValidateAccessAsync(issued.AccessToken))?.Subject);
        var rows = await Raw.ListAsync(None);
        Assert.Equal(2, rows.Count);
        Assert.Single(rows, r => r.PrivateKeyPem.StartsWith(SigningKeyEncryption.Prefix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_encryption_key_of_the_wrong_size_is_a_configuration_error()
    {
        var options = new AuthOptions { Token = new TokenOptions { KeyEncryptionKey = Convert.ToBase64String(new byte[16]) } };

        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.ErrorMessage!.Contains("KeyEncryptionKey", StringComparison.Ordinal));
    }
}
