using k8s.Models;

namespace Wharf.EndToEndTests.Deploy;

/// <summary>
/// The plain manifests under <c>deploy/kubernetes/</c>: every file passes the schema check, the Deployments probe
/// <c>/healthz</c> and <c>/readyz</c>, outlast the drain, run non-root on a read-only root, and the settings they pass
/// are settings the real <c>wharf</c> accepts.
/// </summary>
public sealed class KubernetesManifestTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-k8s-").FullName;

    [Theory]
    [InlineData("single-node")]
    [InlineData("scale-out")]
    public async Task Every_manifest_passes_the_schema_check(string variant)
    {
        var objects = await LoadAsync(variant);

        Assert.Contains(objects, item => item is V1Deployment);
        Assert.Contains(objects, item => item is V1Service);
    }

    [Fact]
    public async Task The_schema_check_rejects_an_unknown_field()
    {
        var deployment = File.ReadAllText(Path.Combine(DeployFiles.KubernetesDirectory("single-node"), "deployment.yaml"))
            .Replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", StringComparison.Ordinal);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ManifestSchema.AssertValidAsync(deployment, "misspelt field"));
        Assert.Contains("Property 'readOnlyRootFileSystem' not found on type 'k8s.Models.V1SecurityContext'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schema_check_rejects_a_wrong_type_and_a_missing_required_field()
    {
        var deployment = File.ReadAllText(Path.Combine(DeployFiles.KubernetesDirectory("single-node"), "deployment.yaml"))
            .Replace("replicas: 1", "replicas: \"1\"", StringComparison.Ordinal)
            .Replace("        - name: wharf\n          image: wharf:latest\n", "        - image: wharf:latest\n", StringComparison.Ordinal);
        var file = Path.Combine(_work, "deployment.yaml");
        await File.WriteAllTextAsync(file, deployment);

        var result = await ManifestSchema.ValidateAsync(file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/spec/replicas must be integer", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/spec/template/spec/containers/0 must have required property name", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_single_node_deployment_runs_one_pod_on_the_claim()
    {
        var objects = await LoadAsync("single-node");
        var deployment = ManifestSchema.Single<V1Deployment>(objects);

        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        var claim = ManifestSchema.Single<V1PersistentVolumeClaim>(objects);
        var data = Assert.Single(deployment.Spec.Template.Spec.Volumes, volume => volume.Name == "data");
        Assert.Equal(claim.Metadata.Name, data.PersistentVolumeClaim.ClaimName);
        Assert.Equal("/var/lib/wharf", Assert.Single(Container(deployment).VolumeMounts, mount => mount.Name == "data").MountPath);
        PodContract.AssertHardenedAndProbed(deployment);
        PodContract.AssertServiceSelects(ManifestSchema.Single<V1Service>(objects), deployment);
    }

    [Fact]
    public async Task The_scale_out_deployment_runs_several_replicas_on_s3_and_postgres_under_a_budget()
    {
        var objects = await LoadAsync("scale-out");
        var deployment = ManifestSchema.Single<V1Deployment>(objects);

        Assert.True(deployment.Spec.Replicas > 1);
        Assert.DoesNotContain(objects, item => item is V1PersistentVolumeClaim);
        var environment = ManifestSchema.ContainerEnvironment(objects);
        Assert.Equal("S3", environment["WHARF_STORAGE__DRIVER"]);
        Assert.Equal("PostgreSql", environment["WHARF_METADATA__DRIVER"]);
        Assert.Contains("WHARF_STORAGE__S3__SECRETKEY", ManifestSchema.Single<V1Secret>(objects).StringData.Keys);
        Assert.Contains("WHARF_METADATA__POSTGRESQL__CONNECTIONSTRING", ManifestSchema.Single<V1Secret>(objects).StringData.Keys);
        var budget = ManifestSchema.Single<V1PodDisruptionBudget>(objects);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        PodContract.AssertHardenedAndProbed(deployment);
        PodContract.AssertServiceSelects(ManifestSchema.Single<V1Service>(objects), deployment);
    }

    [Theory]
    [InlineData("single-node")]
    [InlineData("scale-out")]
    public async Task Wharf_accepts_the_settings_the_manifests_pass(string variant)
    {
        var environment = ManifestSchema.ContainerEnvironment(await LoadAsync(variant));

        await PodContract.AssertWharfAcceptsAsync(environment, _work);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static V1Container Container(V1Deployment deployment) => Assert.Single(deployment.Spec.Template.Spec.Containers);

    private static async Task<List<object>> LoadAsync(string variant)
    {
        var files = Directory.GetFiles(DeployFiles.KubernetesDirectory(variant), "*.yaml").Order(StringComparer.Ordinal).ToArray();
        return [.. await ManifestSchema.AssertFilesValidAsync(files)];
    }
}
