using System.CommandLine;
using Wharf.Commands;

var root = new RootCommand("Wharf, a container image registry")
{
    ServeCommand.Create(),
    ConfigCommand.Create(),
    MigrateCommand.Create(),
    UserCommand.Create(),
    TokenCommand.Create(),
    GcCommand.Create(),
    RepoCommand.Create(),
    RetentionCommand.Create(),
    QuotaCommand.Create(),
    AuditCommand.Create(),
    EventsCommand.Create(),
    ReplicationCommand.Create(),
    CheckCommand.Create(),
    BackupCommand.Create(),
    RestoreCommand.Create(),
    ImportCommand.Create(),
    VersionCommand.Create(),
    HealthcheckCommand.Create(),
};
VersionCommand.ReplaceVersionOption(root);

// A command's changes (`repo delete`, `retention run`, `gc`…) are reported to webhooks as made by the account that
// ran it; `serve` sets each request's origin itself.
using var origin = args is ["serve", ..] ? null
    : Wharf.Core.Events.EventOrigin.Use(() => new(Environment.UserName, null, null, Environment.MachineName, null, "wharf-cli", null));
return await root.Parse(args).InvokeAsync();
