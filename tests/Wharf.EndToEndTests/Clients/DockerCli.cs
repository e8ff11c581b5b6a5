using System.Text.Json;
using System.Text.RegularExpressions;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Clients;

/// <summary>The docker CLI talking to a test engine (<see cref="DockerEngineFixture"/>).</summary>
internal sealed partial class DockerCli(DockerEngineFixture engine, Func<string>? registryLog = null)
{
    private readonly string _executable = RequiredTool.Find("docker", "docker.io");

    public async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(_executable, arguments, engine.Environment(), timeout: TimeSpan.FromSeconds(90));
        return ClientFailure.Check(result, registryLog, ("dockerd log", engine.Log));
    }

    /// <summary><c>docker push</c>; returns the manifest digest docker reports.</summary>
    public async Task<string> PushAsync(string reference)
    {
        var result = await RunAsync("push", reference);
        var match = PushDigest().Match(result.Stdout);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException("no digest in docker push output:\n" + result.Describe());
    }

    /// <summary><c>docker pull</c>; returns the digest docker reports.</summary>
    public async Task<string> PullAsync(string reference)
    {
        var result = await RunAsync("pull", reference);
        var match = PullDigest().Match(result.Stdout);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException("no digest in docker pull output:\n" + result.Describe());
    }

    /// <summary>The first element of <c>docker image inspect</c>.</summary>
    public async Task<JsonElement> InspectImageAsync(string reference)
    {
        var result = await RunAsync("image", "inspect", reference);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement[0].Clone();
    }

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64}) size: \d+")]
    private static partial Regex PushDigest();

    [GeneratedRegex(@"Digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex PullDigest();
}
