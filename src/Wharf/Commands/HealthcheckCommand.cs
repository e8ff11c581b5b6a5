using System.CommandLine;
using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf healthcheck [--listen HOST:PORT] [--config FILE] [--timeout SECONDS]</c>: asks the local server's
/// <c>/healthz</c> and exits 0 when it answers 200, 1 otherwise. It finds the server the way <c>serve</c> does
/// (flag, <c>WHARF_LISTEN</c>, config file), so a container's <c>HEALTHCHECK</c> needs no curl.
/// </summary>
public static class HealthcheckCommand
{
    private const string DefaultListen = "127.0.0.1:5000";

    public static Command Create()
    {
        var listen = new Option<string?>("--listen") { Description = "The server's address, HOST:PORT (default: as serve reads it)" };
        var config = new Option<string?>("--config") { Description = "Config file, YAML or JSON" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the answer", DefaultValueFactory = _ => 3 };
        var command = new Command("healthcheck", "Exit 0 when the local server answers /healthz") { listen, config, timeout };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            var configuration = WharfConfiguration.Build(parse.GetValue(config), new Dictionary<string, string?> { ["Listen"] = parse.GetValue(listen) });
            var https = configuration["Tls:Certificate"] is not null;
            var url = ProbeUrl(configuration["Listen"] ?? DefaultListen, https);
            return await ProbeAsync(url, TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))), cancellationToken);
        }));
        return command;
    }

    /// <summary>The <c>/healthz</c> URL of a server listening on <paramref name="listen"/>; wildcard hosts become loopback.</summary>
    public static Uri ProbeUrl(string listen, bool https)
    {
        var colon = listen.LastIndexOf(':');
        if (colon <= 0)
        {
            throw new FormatException($"Listen must be HOST:PORT, not '{listen}'");
        }

        var host = listen[..colon] switch
        {
            "0.0.0.0" or "*" or "+" => "127.0.0.1",
            "[::]" => "[::1]",
            var h => h,
        };
        return new Uri($"{(https ? "https" : "http")}://{host}:{listen[(colon + 1)..]}/healthz");
    }

    private static async Task<int> ProbeAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The probe runs beside the server, on its own address: a self-signed certificate is the server's own.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var client = new HttpClient(handler) { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                Console.Out.WriteLine($"{url}: {(int)response.StatusCode} healthy");
                return 0;
            }

            await Console.Error.WriteLineAsync($"wharf: {url} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"wharf: {url} did not answer: {e.Message}");
        }

        return 1;
    }
}
