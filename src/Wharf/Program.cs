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
    CheckCommand.Create(),
    BackupCommand.Create(),
    RestoreCommand.Create(),
    VersionCommand.Create(),
    HealthcheckCommand.Create(),
};
VersionCommand.ReplaceVersionOption(root);
return await root.Parse(args).InvokeAsync();
