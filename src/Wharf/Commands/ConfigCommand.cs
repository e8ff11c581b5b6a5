using System.CommandLine;
using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary><c>wharf config validate [--config FILE]</c>: checks the whole configuration without starting anything.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Config file, YAML or JSON" };
        var validate = new Command("validate", "Check the configuration and exit") { config };
        validate.SetAction(parse => ConfigErrors.Report(() =>
        {
            using var app = (IDisposable)WharfHost.Build(WharfConfiguration.Build(parse.GetValue(config), null));
            WharfHost.ValidateSections(((WebApplication)app).Services);
            Console.WriteLine("configuration is valid");
            return 0;
        }));
        return new Command("config", "Configuration tools") { validate };
    }
}
