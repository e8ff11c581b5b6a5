using System.CommandLine;
using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary><c>wharf serve [--listen HOST:PORT] [--data DIR] [--config FILE] [--tls-cert FILE --tls-key FILE]</c></summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string?>("--listen") { Description = "Address to listen on, HOST:PORT (default 127.0.0.1:5000)" };
        var data = new Option<string?>("--data") { Description = "Data directory (default ./data)" };
        var config = new Option<string?>("--config") { Description = "Config file, YAML or JSON" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve HTTPS with this PEM certificate (chain)" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The PEM private key of --tls-cert" };
        var command = new Command("serve", "Run the registry") { listen, data, config, tlsCert, tlsKey };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            var configuration = WharfConfiguration.Build(parse.GetValue(config), new Dictionary<string, string?>
            {
                ["Listen"] = parse.GetValue(listen),
                ["Data"] = parse.GetValue(data),
                ["Tls:Certificate"] = parse.GetValue(tlsCert),
                ["Tls:Key"] = parse.GetValue(tlsKey),
            });
            await using var app = WharfHost.Build(configuration);
            await WharfHost.StartAsync(app, cancellationToken);
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        }));
        return command;
    }
}
