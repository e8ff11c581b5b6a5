using System.Text.Json;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>The .NET SDK's own container publishing (Microsoft.NET.Build.Containers) against the registry.</summary>
public sealed class DotnetSdkContainerTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Dotnet_publish_container_pushes_an_app_image_on_a_base_image_from_the_registry()
    {
        var dotnet = RequiredTool.Find("dotnet", "the .NET 10 SDK (dotnet)");
        var baseLayout = fixture.SingleArchLayout("dotnet-base");
        await _skopeo.PushAsync(baseLayout.SkopeoReference, fixture.Ref("dotnet/base"), fixture.Temp.Path);
        var project = Path.Combine(fixture.NewDirectory("sdk"), "app");
        var environment = Environment(project);
        ClientFailure.Check(await ProcessRunner.RunAsync(dotnet, ["new", "console", "--output", project, "--name", "app"], environment), fixture.RegistryLog);

        var publish = ClientFailure.Check(await ProcessRunner.RunAsync(
            dotnet,
            [
                "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-t:PublishContainer",
                $"-p:ContainerBaseImage={fixture.Ref("dotnet/base")}", $"-p:ContainerRegistry={fixture.Authority}",
                "-p:ContainerRepository=dotnet/app", "-p:ContainerImageTag=v1",
                "-getProperty:GeneratedContainerDigest", "-getProperty:GeneratedContainerMediaType",
            ],
            environment,
            timeout: TimeSpan.FromMinutes(3)), fixture.RegistryLog);

        using var properties = JsonDocument.Parse(publish.Stdout);
        var generated = properties.RootElement.GetProperty("Properties");
        var served = await fixture.Http.GetImageAsync("dotnet/app", "v1");
        Assert.Equal(generated.GetProperty("GeneratedContainerDigest").GetString(), served.Root.Digest);
        Assert.Equal(generated.GetProperty("GeneratedContainerMediaType").GetString(), served.Root.ContentType);
        var layers = OciLayoutReader.References(served.Root.Bytes).Skip(1).Select(l => l.Digest).ToList();
        Assert.Equal(baseLayout.Image.LayerDigests, layers.Take(2));
        var appFiles = OciLayoutLayerTar.ReadFiles(served.Blobs[layers[^1]]);
        Assert.Contains(appFiles.Keys, path => path.EndsWith("app.dll", StringComparison.Ordinal));
    }

    /// <summary>The SDK talks plain HTTP only to registries named insecure; MSBuild state of the test host must not leak in.</summary>
    private Dictionary<string, string?> Environment(string project)
    {
        var environment = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(k => k, _ => (string?)null);
        environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = fixture.Authority;
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_CLI_HOME"] = Path.GetDirectoryName(project);
        return environment;
    }
}
