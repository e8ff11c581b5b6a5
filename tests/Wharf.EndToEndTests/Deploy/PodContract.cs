using k8s.Models;
using Wharf.EndToEndTests.Cli;

namespace Wharf.EndToEndTests.Deploy;

/// <summary>What every Wharf Deployment of the recipes (plain manifests and the chart) must promise.</summary>
internal static class PodContract
{
    public const int Port = 5000;

    public static void AssertHardenedAndProbed(V1Deployment deployment)
    {
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        Assert.Equal("wharf:latest", container.Image);
        Assert.Equal(Port, Assert.Single(container.Ports).ContainerPort);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("http", container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
        Assert.True(TimeSpan.FromSeconds(pod.TerminationGracePeriodSeconds ?? 30) > DrainTime(container),
            $"terminationGracePeriodSeconds {pod.TerminationGracePeriodSeconds} must exceed Shutdown:DrainTime {DrainTime(container)}");

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(65532, pod.SecurityContext.RunAsUser);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.NotNull(container.Resources.Requests);
        Assert.NotNull(container.Resources.Limits);
        // A read-only root: the data directory and /tmp are volumes.
        Assert.Contains(container.VolumeMounts, mount => mount.MountPath == "/var/lib/wharf");
        Assert.Contains(container.VolumeMounts, mount => mount.MountPath == "/tmp");
    }

    public static void AssertServiceSelects(V1Service service, V1Deployment deployment)
    {
        var labels = deployment.Spec.Template.Metadata.Labels;
        Assert.All(service.Spec.Selector, pair => Assert.Equal(pair.Value, labels[pair.Key]));
        Assert.All(deployment.Spec.Selector.MatchLabels, pair => Assert.Equal(pair.Value, labels[pair.Key]));
        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal("http", port.TargetPort.Value);
    }

    /// <summary><c>wharf config validate</c> with exactly <paramref name="environment"/> (the data directory made local).</summary>
    public static async Task AssertWharfAcceptsAsync(IReadOnlyDictionary<string, string> environment, string work)
    {
        var local = environment.ToDictionary(StringComparer.Ordinal);
        Assert.Equal("/var/lib/wharf", local["WHARF_DATA"]);
        Assert.Equal("0.0.0.0:" + Port, local["WHARF_LISTEN"]);
        local["WHARF_DATA"] = Path.Combine(work, "data");

        await using var validate = WharfProcess.Start(["config", "validate"], local, workingDirectory: work);
        Assert.True(await validate.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, validate.Output);
        Assert.Contains("configuration is valid", validate.Output, StringComparison.Ordinal);
    }

    private static TimeSpan DrainTime(V1Container container) =>
        container.Env?.FirstOrDefault(variable => variable.Name == "WHARF_SHUTDOWN__DRAINTIME") is { } drain
            ? TimeSpan.Parse(drain.Value, System.Globalization.CultureInfo.InvariantCulture)
            : DeployFiles.DefaultDrainTime;
}
