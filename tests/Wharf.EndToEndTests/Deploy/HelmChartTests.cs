using k8s.Models;

namespace Wharf.EndToEndTests.Deploy;

/// <summary>
/// The Helm chart under <c>deploy/helm/wharf</c>, through a real helm 4 (<c>helm lint --strict</c>, <c>helm template</c>):
/// both value sets lint and render to manifests that pass the schema check and the pod contract, and the chart refuses
/// what cannot work.
/// </summary>
public sealed class HelmChartTests : IDisposable
{
    private static readonly string ScaleOutValues = Path.Combine(DeployFiles.HelmChart, "values-scale-out.yaml");

    private readonly string _work = Directory.CreateTempSubdirectory("wharf-helm-").FullName;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Helm_lint_strict_passes(bool scaleOut)
    {
        var helm = await DeployTools.GetAsync();

        var result = await helm.HelmAsync(["lint", "--strict", DeployFiles.HelmChart, .. ValuesArguments(scaleOut)]);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_values_render_one_pod_on_a_claim()
    {
        var objects = await RenderAsync();
        var deployment = ManifestSchema.Single<V1Deployment>(objects);

        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        var claim = ManifestSchema.Single<V1PersistentVolumeClaim>(objects);
        Assert.Equal(claim.Metadata.Name, Assert.Single(deployment.Spec.Template.Spec.Volumes, volume => volume.Name == "data").PersistentVolumeClaim.ClaimName);
        Assert.DoesNotContain(objects, item => item is V1PodDisruptionBudget or V1Secret);
        PodContract.AssertHardenedAndProbed(deployment);
        PodContract.AssertServiceSelects(ManifestSchema.Single<V1Service>(objects), deployment);
        await PodContract.AssertWharfAcceptsAsync(ManifestSchema.ContainerEnvironment(objects), _work);
    }

    [Fact]
    public async Task The_scale_out_values_render_replicas_on_s3_and_postgres_under_a_budget()
    {
        var objects = await RenderAsync(ScaleOutValues);
        var deployment = ManifestSchema.Single<V1Deployment>(objects);

        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.DoesNotContain(objects, item => item is V1PersistentVolumeClaim);
        var environment = ManifestSchema.ContainerEnvironment(objects);
        Assert.Equal("S3", environment["WHARF_STORAGE__DRIVER"]);
        Assert.Equal("PostgreSql", environment["WHARF_METADATA__DRIVER"]);
        Assert.Equal("change-me", environment["WHARF_STORAGE__S3__SECRETKEY"]); // from the chart's Secret, through envFrom
        var budget = ManifestSchema.Single<V1PodDisruptionBudget>(objects);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        PodContract.AssertHardenedAndProbed(deployment);
        PodContract.AssertServiceSelects(ManifestSchema.Single<V1Service>(objects), deployment);
        await PodContract.AssertWharfAcceptsAsync(environment, _work);
    }

    [Fact]
    public async Task The_drain_time_sets_wharfs_setting_and_a_longer_grace_period()
    {
        var objects = await RenderAsync(null, "--set", "drainSeconds=90");
        var deployment = ManifestSchema.Single<V1Deployment>(objects);

        Assert.Equal("00:01:30", ManifestSchema.ContainerEnvironment(objects)["WHARF_SHUTDOWN__DRAINTIME"]);
        Assert.Equal(105, deployment.Spec.Template.Spec.TerminationGracePeriodSeconds);
        await PodContract.AssertWharfAcceptsAsync(ManifestSchema.ContainerEnvironment(objects), _work);
    }

    [Theory]
    [InlineData("replicaCount=2", "replicaCount above 1 needs storage.driver S3 and metadata.driver PostgreSql")]
    [InlineData("storage.driver=Disk", "storage.driver must be FileSystem or S3")]
    [InlineData("storage.driver=S3", "storage.s3.endpoint is required")]
    public async Task The_chart_refuses_settings_that_cannot_work(string setting, string message)
    {
        var helm = await DeployTools.GetAsync();

        var result = await helm.HelmAsync("template", "wharf", DeployFiles.HelmChart, "--set", setting);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string[] ValuesArguments(bool scaleOut) => scaleOut ? ["--values", ScaleOutValues] : [];

    /// <summary><c>helm template</c> of the chart, checked by the schema check, as typed objects.</summary>
    private static async Task<IReadOnlyList<object>> RenderAsync(string? values = null, params string[] more)
    {
        var helm = await DeployTools.GetAsync();
        string[] arguments = ["template", "wharf", DeployFiles.HelmChart, .. values is null ? [] : new[] { "--values", values }, .. more];

        var result = await helm.HelmAsync(arguments);

        Assert.True(result.ExitCode == 0, result.Describe());
        return await ManifestSchema.AssertValidAsync(result.Stdout, "helm " + string.Join(' ', arguments));
    }
}
