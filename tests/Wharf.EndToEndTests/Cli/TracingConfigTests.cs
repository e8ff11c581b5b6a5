using System.Net;
using System.Text.Json;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf config validate</c> and <c>wharf serve</c> with the <c>Tracing</c> section, as an operator writes it.</summary>
public sealed class TracingConfigTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-cli-tracing-").FullName;

    [Fact]
    public async Task Config_validate_accepts_a_tracing_section_and_names_what_is_wrong_with_a_bad_one()
    {
        var good = Path.Combine(_work, "good.yaml");
        var bad = Path.Combine(_work, "bad.yaml");
        await File.WriteAllTextAsync(good, "Tracing:\n  Enabled: true\n  Endpoint: http://otel-collector:4318\n  Protocol: grpc\n  SampleRatio: 0.25\n  Headers:\n    api-key: secret\n");
        await File.WriteAllTextAsync(bad, "Tracing:\n  Enabled: true\n  SampleRatio: 2\n");

        await using var ok = WharfProcess.Start(["config", "validate", "--config", good]);
        Assert.Equal(0, await ok.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("configuration is valid", ok.Output, StringComparison.Ordinal);

        await using var refused = WharfProcess.Start(["config", "validate", "--config", bad]);
        Assert.Equal(2, await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Tracing:SampleRatio must be between 0 and 1", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_tracing_on_without_an_endpoint()
    {
        await using var wharf = WharfProcess.Start(["serve", "--data", Path.Combine(_work, "data")], new Dictionary<string, string> { ["WHARF_TRACING__ENABLED"] = "true" });

        Assert.Equal(2, await wharf.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Tracing:Endpoint is required", wharf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_tracing_on_the_request_log_line_carries_the_callers_trace_id_and_a_dead_receiver_harms_nothing()
    {
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        await using var wharf = WharfProcess.Start(
            ["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")],
            new Dictionary<string, string>
            {
                ["WHARF_LOGGING__FORMAT"] = "json",
                ["WHARF_TRACING__ENABLED"] = "true",
                ["WHARF_TRACING__ENDPOINT"] = "http://127.0.0.1:9", // nothing listens there
            });
        using var client = new HttpClient { BaseAddress = await wharf.WaitUntilListeningAsync() };
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2/"))
        {
            request.Headers.Add("traceparent", $"00-{traceId}-b7ad6b7169203331-01");
            request.Headers.Add("X-Request-Id", "e2e-traced-1");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await wharf.TerminateAsync(TimeSpan.FromSeconds(20)));

        var line = Assert.Single(
            wharf.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonDocument.Parse(l).RootElement),
            e => e.GetProperty("EventId").GetInt32() == 2100);
        var scopes = line.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("RequestId", out var id) && id.GetString() == "e2e-traced-1");
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var id) && id.GetString() == traceId);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
