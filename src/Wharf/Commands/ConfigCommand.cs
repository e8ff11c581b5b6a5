using System.CommandLine;
using Microsoft.Extensions.Options;
using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary><c>wharf config validate [--config FILE]</c>: checks the whole configuration without starting anything.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Config file, YAML or JSON" };
        var validate = new Command("validate", "Check the configuration and exit") { config };
        validate.SetAction(parse =>
        {
            try
            {
                var configuration = WharfConfiguration.Build(parse.GetValue(config), null);
                using var app = (IDisposable)WharfHost.Build(configuration);
                foreach (var type in new[] { typeof(Core.Services.UploadOptions), typeof(Core.Services.ManifestOptions), typeof(Core.Services.PaginationOptions) })
                {
                    _ = ((WebApplication)app).Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(type)).GetType().GetProperty("Value")!.GetValue(
                        ((WebApplication)app).Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(type)));
                }

                Console.WriteLine("configuration is valid");
                return 0;
            }
            catch (Exception e) when (e is OptionsValidationException or FormatException or FileNotFoundException or InvalidOperationException or System.Reflection.TargetInvocationException)
            {
                Console.Error.WriteLine("configuration is invalid: " + (e.InnerException ?? e).Message);
                return 1;
            }
        });
        return new Command("config", "Configuration tools") { validate };
    }
}
