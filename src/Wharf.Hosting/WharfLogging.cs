using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using Wharf.Hosting.Logging;

namespace Wharf.Hosting;

/// <summary>Wharf's console logging (<c>Logging:Format</c> console or json, UTC timestamps), for the server and the commands alike.</summary>
public static class WharfLogging
{
    public static ILoggingBuilder AddWharfConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        if (OptionSections.Bind<LogFormatOptions>(configuration, "Logging").IsJson)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new() { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        // The framework's formatters and options, written by Wharf's batching console logger (BatchedConsoleLoggerProvider).
        foreach (var console in logging.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList())
        {
            logging.Services.Remove(console);
        }

        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, BatchedConsoleLoggerProvider>());
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Its per-request scope would carry Kestrel's connection id as a second RequestId; RequestIdMiddleware sets ours.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        return logging;
    }
}
