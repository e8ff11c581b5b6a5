using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Wharf.EndToEndTests.Faults;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Release;

/// <summary>
/// Wharf's container image (<c>scripts/build-image.sh</c>) in a real dockerd (vfs storage, host network: port publishing
/// is unavailable here): loaded from its docker-archive, run with a named volume, pushed to and pulled from with the
/// docker CLI, restarted with its data kept, healthy by its own HEALTHCHECK, stopped cleanly by SIGTERM.
/// <c>WHARF_TEST_IMAGE_TAR</c> names an archive already built (the test then builds none).
/// </summary>
public sealed class ContainerImageTests
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(10);

    [ContainerImageFact]
    public async Task The_image_serves_pushes_and_pulls_keeps_its_data_across_a_restart_and_stops_cleanly()
    {
        var archive = await ImageArchiveAsync();
        await AssertPodmanLoadsAsync(archive);
        var engine = new DockerEngineFixture();
        try
        {
            await engine.InitializeAsync();
            await RunImageAsync(engine, archive);
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }

    private static async Task RunImageAsync(DockerEngineFixture engine, string archive)
    {
        var docker = RequiredTool.Find("docker", "docker.io");
        async Task<ProcessResult> Docker(params string[] arguments) =>
            (await ProcessRunner.RunAsync(docker, arguments, engine.Environment(), timeout: TimeSpan.FromSeconds(180))).EnsureSuccess();

        var loaded = await Docker("load", "-i", archive);
        Assert.Contains("wharf:e2e", loaded.Stdout, StringComparison.Ordinal);
        var config = await InspectAsync(Docker, "image", "wharf:e2e");
        AssertImageConfig(config.GetProperty("Config"));

        await AssertMountedConfigFileIsReadAsync(docker, engine);

        var port = FreePort();
        var name = "wharf-e2e-" + Guid.NewGuid().ToString("N")[..8];
        await Docker(
            "run", "-d", "--name", name, "--network", "host", "--health-interval", "1s",
            "-e", $"WHARF_LISTEN=0.0.0.0:{port}", "-v", "wharf-e2e-data:/var/lib/wharf", "wharf:e2e");
        try
        {
            await WaitForAsync(async () => (await InspectAsync(Docker, "container", name)).GetProperty("State").GetProperty("Health").GetProperty("Status").GetString() == "healthy",
                "the container's HEALTHCHECK (wharf healthcheck) to report healthy", Docker, name);

            // docker push and pull through the containerised Wharf: the image pushes itself.
            var reference = $"127.0.0.1:{port}/release/wharf:v1";
            await Docker("tag", "wharf:e2e", reference);
            var pushed = await Docker("push", reference);
            await Docker("rmi", reference);
            var pulled = await Docker("pull", reference);
            Assert.Contains(Digest(pushed.Stdout, "digest: "), pulled.Stdout, StringComparison.Ordinal);

            await Docker("restart", name);
            await WaitForAsync(async () => await CatalogAsync(port) is not null, "Wharf to answer again after docker restart", Docker, name);
            Assert.Equal("""{"repositories":["release/wharf"]}""", await CatalogAsync(port));
            await Docker("rmi", reference);
            var pulledAgain = await Docker("pull", reference);
            Assert.Contains(Digest(pushed.Stdout, "digest: "), pulledAgain.Stdout, StringComparison.Ordinal);

            var stopwatch = Stopwatch.StartNew();
            await Docker("stop", "--time", "30", name);
            stopwatch.Stop();
            var state = (await InspectAsync(Docker, "container", name)).GetProperty("State");
            var logs = await Docker("logs", name);
            Assert.True(state.GetProperty("ExitCode").GetInt32() == 0, $"exit code {state.GetProperty("ExitCode")}\n{logs.Stdout}{logs.Stderr}");
            Assert.True(stopwatch.Elapsed < StopBudget, $"docker stop took {stopwatch.Elapsed.TotalSeconds:F1} s");
            Assert.Contains("Application is shutting down", logs.Stdout + logs.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await ProcessRunner.RunAsync(docker, ["rm", "-f", name], engine.Environment());
        }
    }

    /// <summary>A config file mounted read-only at /etc/wharf/config.yaml is read by the non-root user (a typo in it is named).</summary>
    private static async Task AssertMountedConfigFileIsReadAsync(string docker, DockerEngineFixture engine)
    {
        using var directory = new TempDirectory("wharf-img-cfg");
        var file = directory.Combine("config.yaml");
        await File.WriteAllTextAsync(file, "Uploads:\n  ExpireAftr: \"02:00:00\"\n");
        var result = await ProcessRunner.RunAsync(
            docker,
            ["run", "--rm", "--network", "host", "-v", file + ":/etc/wharf/config.yaml:ro", "wharf:e2e", "config", "validate", "--config", "/etc/wharf/config.yaml"],
            engine.Environment(),
            timeout: TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains("Uploads:ExpireAftr; did you mean Uploads:ExpireAfter?", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private static void AssertImageConfig(JsonElement config)
    {
        Assert.Equal("65532:65532", config.GetProperty("User").GetString());
        Assert.Equal(["/usr/local/bin/wharf"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["serve"], config.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.True(config.GetProperty("Volumes").TryGetProperty("/var/lib/wharf", out _));
        Assert.True(config.GetProperty("ExposedPorts").TryGetProperty("5000/tcp", out _));
        var environment = config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("WHARF_LISTEN=0.0.0.0:5000", environment);
        Assert.Contains("WHARF_DATA=/var/lib/wharf", environment);
        Assert.Equal(["CMD", "/usr/local/bin/wharf", "healthcheck"], config.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
        var labels = config.GetProperty("Labels");
        foreach (var label in new[] { "version", "revision", "source", "created", "title" })
        {
            Assert.False(string.IsNullOrEmpty(labels.GetProperty("org.opencontainers.image." + label).GetString()), label);
        }
    }

    /// <summary>WHARF_TEST_IMAGE_TAR, or <c>scripts/build-image.sh wharf:e2e</c>'s archive.</summary>
    /// <summary>podman reads the same archive, with the image's user, volume and port.</summary>
    private static async Task AssertPodmanLoadsAsync(string archive)
    {
        var directory = Directory.CreateTempSubdirectory("wharf-image-podman-").FullName;
        try
        {
            var podman = Clients.ContainersStorageClient.Podman(directory);
            var loaded = await podman.RunCheckedAsync("load", "-i", archive);
            Assert.Contains("wharf:e2e", loaded.Stdout + loaded.Stderr, StringComparison.Ordinal);
            var user = await podman.RunCheckedAsync("image", "inspect", "--format", "{{.Config.User}} {{range $k, $v := .Config.Volumes}}{{$k}}{{end}} {{range $k, $v := .Config.ExposedPorts}}{{$k}}{{end}}", "wharf:e2e");
            Assert.Equal("65532:65532 /var/lib/wharf 5000/tcp", user.Stdout.Trim());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> ImageArchiveAsync()
    {
        if (Environment.GetEnvironmentVariable("WHARF_TEST_IMAGE_TAR") is { Length: > 0 } given)
        {
            return given;
        }

        var script = Path.Combine(PrivatePostgres.RepositoryRoot(), "scripts", "build-image.sh");
        var built = await ProcessRunner.RunAsync(script, ["wharf:e2e"], timeout: TimeSpan.FromMinutes(30));
        built.EnsureSuccess();
        return built.Stdout.Trim().Split('\n')[^1];
    }

    private static async Task<JsonElement> InspectAsync(Func<string[], Task<ProcessResult>> docker, string kind, string name)
    {
        var result = await docker([kind, "inspect", name]);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement[0].Clone();
    }

    private static async Task<string?> CatalogAsync(int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/v2/_catalog"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, Func<string[], Task<ProcessResult>> docker, string name)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                var logs = await docker(["logs", name]);
                Assert.Fail($"timed out waiting for {what}\n{logs.Stdout}{logs.Stderr}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static string Digest(string output, string marker)
    {
        var at = output.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, output);
        return output.Substring(at + marker.Length, "sha256:".Length + 64);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
