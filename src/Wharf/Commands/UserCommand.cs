using System.CommandLine;
using System.Globalization;
using Wharf.Auth;
using Wharf.Core.Metadata;

namespace Wharf.Commands;

/// <summary><c>wharf user add|passwd|remove|list|import-htpasswd</c>: Wharf's users, in the data directory's metadata store.</summary>
public static class UserCommand
{
    public static Command Create() => new("user", "Manage users")
    {
        Add(),
        Passwd(),
        Remove(),
        List(),
        ImportHtpasswd(),
    };

    private static Command Add()
    {
        var (data, config, name, password, stdin, groups) = (AccountOptions.Data(), AccountOptions.Config(), NameArgument(), PasswordOption(), StdinOption(), GroupOption());
        var command = new Command("add", "Add a user") { name, password, stdin, groups, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            var user = parse.GetValue(name)!;
            if (!AccountOptions.IsValidName(user) || user.StartsWith(AccountOptions.RobotPrefix, StringComparison.Ordinal))
            {
                return Fail($"invalid user name '{user}': use [a-z0-9][a-z0-9._-]*, not starting with '{AccountOptions.RobotPrefix}'");
            }

            if (AccountOptions.ReadPassword(parse.GetValue(password), parse.GetValue(stdin)) is not { Length: > 0 } secret)
            {
                return Fail("a password is required: --password-stdin (or --password)");
            }

            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var record = new UserRecord(user, store.Hasher.Hash(secret), parse.GetValue(groups) ?? [], TimeProvider.System.GetUtcNow());
            if (!await store.Users.CreateAsync(record, ct))
            {
                return Fail($"user '{user}' already exists");
            }

            await store.AuditAsync(Wharf.Core.Audit.AuditActions.UserAdd, user);
            Console.WriteLine($"added user {user}");
            return 0;
        }));
        return command;
    }

    private static Command Passwd()
    {
        var (data, config, name, password, stdin, groups) = (AccountOptions.Data(), AccountOptions.Config(), NameArgument(), PasswordOption(), StdinOption(), GroupOption());
        var command = new Command("passwd", "Set a user's password (and groups, when given)") { name, password, stdin, groups, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            if (AccountOptions.ReadPassword(parse.GetValue(password), parse.GetValue(stdin)) is not { Length: > 0 } secret)
            {
                return Fail("a password is required: --password-stdin (or --password)");
            }

            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var given = parse.GetValue(groups);
            var user = parse.GetValue(name)!;
            if (!await store.Users.UpdateAsync(user, store.Hasher.Hash(secret), given is { Length: > 0 } ? given : null, ct))
            {
                return Fail($"no user '{user}'");
            }

            await store.AuditAsync(Wharf.Core.Audit.AuditActions.UserPassword, user, given is { Length: > 0 } ? "groups: " + string.Join(',', given) : null);
            Console.WriteLine($"updated user {user}");
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var (data, config, name) = (AccountOptions.Data(), AccountOptions.Config(), NameArgument());
        var command = new Command("remove", "Remove a user and the user's personal access tokens") { name, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var user = parse.GetValue(name)!;
            if (!await store.Users.DeleteAsync(user, ct))
            {
                return Fail($"no user '{user}'");
            }

            await store.AuditAsync(Wharf.Core.Audit.AuditActions.UserRemove, user);
            Console.WriteLine($"removed user {user}");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var command = new Command("list", "List users: name, groups, creation time") { data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            foreach (var user in await store.Users.ListAsync(ct))
            {
                Console.WriteLine($"{user.Name}\t{string.Join(',', user.Groups)}\t{user.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}");
            }

            return 0;
        }));
        return command;
    }

    private static Command ImportHtpasswd()
    {
        var (data, config, groups) = (AccountOptions.Data(), AccountOptions.Config(), GroupOption());
        var file = new Argument<string>("FILE") { Description = "An htpasswd file with bcrypt hashes (htpasswd -B)" };
        var command = new Command("import-htpasswd", "Add the users of an htpasswd file (bcrypt only); existing users get the file's password") { file, groups, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            await using var store = await AccountStore.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var (added, updated, skipped) = (0, 0, 0);
            foreach (var line in await File.ReadAllLinesAsync(parse.GetValue(file)!, ct))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                var user = colon > 0 ? line[..colon] : line;
                var hash = colon > 0 ? line[(colon + 1)..].Trim() : "";
                if (!AccountOptions.IsValidName(user) || user.StartsWith(AccountOptions.RobotPrefix, StringComparison.Ordinal) || !PasswordHasher.IsBcrypt(hash))
                {
                    Console.Error.WriteLine($"skipped '{user}': only valid user names with bcrypt hashes ($2a$, $2b$, $2y$) are imported");
                    skipped++;
                    continue;
                }

                if (await store.Users.CreateAsync(new UserRecord(user, hash, parse.GetValue(groups) ?? [], TimeProvider.System.GetUtcNow()), ct))
                {
                    added++;
                    await store.AuditAsync(Wharf.Core.Audit.AuditActions.UserAdd, user, "import-htpasswd");
                }
                else if (await store.Users.UpdateAsync(user, hash, null, ct))
                {
                    updated++;
                    await store.AuditAsync(Wharf.Core.Audit.AuditActions.UserPassword, user, "import-htpasswd");
                }
            }

            Console.WriteLine($"imported: {added} added, {updated} updated, {skipped} skipped");
            return skipped == 0 ? 0 : 1;
        }));
        return command;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The user name" };

    private static Option<string?> PasswordOption() => new("--password") { Description = "The password (visible to other local users; prefer --password-stdin)" };

    private static Option<bool> StdinOption() => new("--password-stdin") { Description = "Read the password from the first line of standard input" };

    private static Option<string[]> GroupOption() => new("--group") { Description = "A group the user belongs to (repeatable)", AllowMultipleArgumentsPerToken = false };

    internal static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return 1;
    }
}
