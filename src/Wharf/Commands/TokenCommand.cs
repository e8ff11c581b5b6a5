using System.CommandLine;
using System.Globalization;
using Wharf.Auth;
using Wharf.Core.Metadata;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf token create|list|revoke</c>: personal access tokens (<c>--user</c>) and robot accounts (<c>--robot</c>),
/// usable as the password of <c>docker login</c> with the user name (or <c>robot.&lt;name&gt;</c>) as the username.
/// </summary>
public static class TokenCommand
{
    public static Command Create() => new("token", "Manage personal access tokens and robot accounts")
    {
        CreateToken(),
        List(),
        Revoke(),
        SigningKeyCommands.List(),
        SigningKeyCommands.Rotate(),
        SigningKeyCommands.Retire(),
    };

    private static Command CreateToken()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var user = new Option<string?>("--user") { Description = "Create a personal access token of this user" };
        var robot = new Option<string?>("--robot") { Description = "Create a robot account named robot.<NAME>" };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "What the token may do, e.g. repository:team/app:pull,push or repository:team/**:pull (repeatable). A personal token without --scope has all its user's rights.",
        };
        var expires = new Option<string?>("--expires") { Description = "Lifetime: 90d, 12h, 30m, or a time span (default: never)" };
        var description = new Option<string?>("--description") { Description = "What the token is for" };
        var command = new Command("create", "Create a token; its secret is printed once, on standard output") { user, robot, scopes, expires, description, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            var (userName, robotName) = (parse.GetValue(user), parse.GetValue(robot));
            if ((userName is null) == (robotName is null))
            {
                return UserCommand.Fail("give exactly one of --user NAME or --robot NAME");
            }

            var given = parse.GetValue(scopes) ?? [];
            foreach (var scopeText in given)
            {
                if (Scope.Parse(scopeText) is not { } scope || (scope.Type != Scope.RepositoryType && !scope.IsCatalog) || (scope.Actions == AccessActions.None)
                    || (scope.Type == Scope.RepositoryType && !RepositoryPattern.TryCreate(scope.Name, out _)))
                {
                    return UserCommand.Fail($"invalid scope '{scopeText}': use repository:<name or pattern>:pull,push,delete or registry:catalog:*");
                }
            }

            if (robotName is not null && given.Length == 0)
            {
                return UserCommand.Fail("a robot needs at least one --scope");
            }

            if (robotName is not null && !AccountOptions.IsValidName(robotName))
            {
                return UserCommand.Fail($"invalid robot name '{robotName}'");
            }

            TimeSpan? lifetime = null;
            if (parse.GetValue(expires) is { } expiresText)
            {
                if (ParseLifetime(expiresText) is not { } parsed)
                {
                    return UserCommand.Fail($"invalid --expires '{expiresText}': use e.g. 90d, 12h, 30m");
                }

                lifetime = parsed;
            }

            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            if (userName is not null && await store.Users.GetAsync(userName, ct) is null)
            {
                return UserCommand.Fail($"no user '{userName}'");
            }

            var now = TimeProvider.System.GetUtcNow();
            var (id, secret, text) = AccessTokenSecret.Create();
            var subject = userName ?? AccountOptions.RobotPrefix + robotName;
            var record = new AccessTokenRecord(
                id,
                subject,
                userName is null ? AccessTokenKind.Robot : AccessTokenKind.Personal,
                AccessTokenSecret.Hash(secret),
                given.Length > 0 ? given : ["repository:**:pull,push,delete", "registry:catalog:*"],
                parse.GetValue(description) ?? "",
                now,
                now + lifetime,
                null);
            await store.Tokens.CreateAsync(record, ct);
            await store.AuditAsync(Wharf.Core.Audit.AuditActions.TokenCreate, id, $"for {subject}; scopes {string.Join(' ', record.Scopes)}");
            Console.Error.WriteLine($"created token {id} for {subject}; log in as '{subject}' with this password (shown only now):");
            Console.WriteLine(text);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var subject = new Option<string?>("--subject") { Description = "Only tokens of this user (or robot.<name>)" };
        var command = new Command("list", "List tokens: id, subject, kind, state, expiry, scopes, description") { subject, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var now = TimeProvider.System.GetUtcNow();
            foreach (var token in await store.Tokens.ListAsync(parse.GetValue(subject), ct))
            {
                var state = token.RevokedAt is not null ? "revoked" : token.IsActive(now) ? "active" : "expired";
                var expiry = token.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never";
                Console.WriteLine($"{token.Id}\t{token.Subject}\t{token.Kind.ToString().ToLowerInvariant()}\t{state}\t{expiry}\t{string.Join(' ', token.Scopes)}\t{token.Description}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var id = new Argument<string>("ID") { Description = "The token id (from token list)" };
        var command = new Command("revoke", "Revoke a token; it stops working at once") { id, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var tokenId = parse.GetValue(id)!;
            if (!await store.Tokens.RevokeAsync(tokenId, TimeProvider.System.GetUtcNow(), ct))
            {
                return UserCommand.Fail($"no active token '{tokenId}'");
            }

            await store.AuditAsync(Wharf.Core.Audit.AuditActions.TokenRevoke, tokenId);
            Console.WriteLine($"revoked token {tokenId}");
            return 0;
        }));
        return command;
    }

    internal static TimeSpan? ParseLifetime(string text)
    {
        if (text.Length > 1 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'd': return TimeSpan.FromDays(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'm': return TimeSpan.FromMinutes(n);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;
    }
}
