using System.CommandLine;
using System.Globalization;
using Wharf.Auth;
using Wharf.Core.Metadata;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf token keys|rotate-key|retire-key</c>: the token signing keys in the metadata store, shared by every
/// instance on the database. Running servers pick changes up within <see cref="SigningKeys.RefreshInterval"/>.
/// </summary>
public static class SigningKeyCommands
{
    public static Command List()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var command = new Command("keys", "List the token signing keys: kid, algorithm, generation, created, state") { data, config };
        command.SetAction((parse, ct) => WithStoreAsync(parse.GetValue(config), parse.GetValue(data), ct, async store =>
        {
            var keys = await store.SigningKeys.ListAsync(ct);
            var now = TimeProvider.System.GetUtcNow();
            var signing = SigningKeys.SigningGeneration(Active(keys, store.Options.Token.Algorithm), now);
            foreach (var key in keys)
            {
                var state = key.RetiredAt is { } retired ? "retired " + Time(retired)
                    : key.Algorithm != store.Options.Token.Algorithm ? "verifies"
                    : key.Generation == signing ? "signs"
                    : key.Generation > signing ? "verifies; signs from " + Time(key.CreatedAt + SigningKeys.ActivationDelay)
                    : "verifies";
                Console.WriteLine($"{key.Kid}\t{key.Algorithm}\t{key.Generation}\t{Time(key.CreatedAt)}\t{state}");
            }

            return 0;
        }));
        return command;
    }

    public static Command Rotate()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var algorithm = new Option<string?>("--algorithm") { Description = "ES256 or RS256 (default: Auth:Token:Algorithm)" };
        var command = new Command("rotate-key", "Add a new signing key; it signs once every instance has loaded it, older keys keep verifying until retired")
        {
            algorithm, data, config,
        };
        command.SetAction((parse, ct) => WithStoreAsync(parse.GetValue(config), parse.GetValue(data), ct, async store =>
        {
            var chosen = parse.GetValue(algorithm) ?? store.Options.Token.Algorithm;
            if (chosen is not ("ES256" or "RS256"))
            {
                return UserCommand.Fail($"invalid --algorithm '{chosen}': use ES256 or RS256");
            }

            var created = await StoredSigningKeySource.AddNextAsync(store.SigningKeys, await store.SigningKeys.ListAsync(ct), chosen, TimeProvider.System, ct);
            if (created is null)
            {
                return UserCommand.Fail("another process added a signing key at the same moment; see 'wharf token keys' and retry if needed");
            }

            Console.WriteLine($"added {chosen} signing key {created.Kid} (generation {created.Generation}): every instance accepts it within "
                + $"{SigningKeys.RefreshInterval.TotalSeconds:0} s and signs with it from {Time(created.CreatedAt + SigningKeys.ActivationDelay)}; "
                + "older keys keep verifying until retired (wharf token retire-key)");
            return 0;
        }));
        return command;
    }

    public static Command Retire()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var kid = new Argument<string>("KID") { Description = "The key id (from token keys)" };
        var command = new Command("retire-key", "Retire a signing key: tokens it signed stop working (within a minute on every instance)") { kid, data, config };
        command.SetAction((parse, ct) => WithStoreAsync(parse.GetValue(config), parse.GetValue(data), ct, async store =>
        {
            var id = parse.GetValue(kid)!;
            if (!await store.SigningKeys.RetireAsync(id, TimeProvider.System.GetUtcNow(), ct))
            {
                return UserCommand.Fail($"no active signing key '{id}'");
            }

            var remaining = Active(await store.SigningKeys.ListAsync(ct), store.Options.Token.Algorithm);
            Console.WriteLine($"retired signing key {id}" + (remaining.Count == 0
                ? $"; no {store.Options.Token.Algorithm} key is left, so the servers create a new one at their next reload and every token issued so far stops working"
                : ""));
            return 0;
        }));
        return command;
    }

    private static List<(long Generation, DateTimeOffset CreatedAt)> Active(IReadOnlyList<SigningKeyRecord> keys, string algorithm) =>
        [.. keys.Where(k => k.Algorithm == algorithm && k.RetiredAt is null).Select(k => ((long)k.Generation, k.CreatedAt))];

    private static string Time(DateTimeOffset at) => at.ToString("u", CultureInfo.InvariantCulture);

    /// <summary>Opens the account store, unless keys come from files (<c>Auth:Token:KeyDirectory</c>): then there is nothing here to manage.</summary>
    private static Task<int> WithStoreAsync(string? config, string? data, CancellationToken cancellationToken, Func<AccountStore, Task<int>> action) =>
        ConfigErrors.ReportAsync(async () =>
        {
            await using var store = await AccountStore.OpenAsync(config, data, cancellationToken);
            if (AuthKeyDirectory.Explicit(store.Options) is { } directory)
            {
                return UserCommand.Fail($"Auth:Token:KeyDirectory is set: the signing keys are the *.pem files in {directory}; add or remove files there");
            }

            return await action(store);
        });
}
