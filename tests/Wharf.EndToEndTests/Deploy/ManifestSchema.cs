using k8s;
using k8s.Models;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Deploy;

/// <summary>
/// A kubeconform-style check of Kubernetes manifests, in two halves that together cover what a strict JSON-schema
/// validation does: KubernetesClient's typed models read strictly (an unknown field, an unknown apiVersion/kind or a
/// value of the wrong shape fails), and kubernetes-models' compiled OpenAPI schemas (required fields, exact types,
/// formats) through <c>validate.js</c>.
/// </summary>
internal static class ManifestSchema
{
    /// <summary>Checks <paramref name="yaml"/> (several documents) both ways and returns its objects, typed.</summary>
    public static async Task<IReadOnlyList<object>> AssertValidAsync(string yaml, string label)
    {
        var objects = ReadStrict(yaml, label);
        var file = Path.Combine(Path.GetTempPath(), "wharf-manifest-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var result = await ValidateAsync(file);
            Assert.True(result.ExitCode == 0, label + ": the schema check failed\n" + result.Describe());
            Assert.Equal(objects.Count, result.Stdout.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
        }
        finally
        {
            File.Delete(file);
        }

        return objects;
    }

    /// <summary>Checks every file (each may hold several documents) both ways and returns their objects, typed.</summary>
    public static async Task<IReadOnlyList<object>> AssertFilesValidAsync(IReadOnlyList<string> files)
    {
        var objects = new List<object>();
        foreach (var file in files)
        {
            objects.AddRange(ReadStrict(await File.ReadAllTextAsync(file), file));
        }

        var result = await ValidateAsync([.. files]);
        Assert.True(result.ExitCode == 0, "the schema check failed\n" + result.Describe());
        Assert.Equal(objects.Count, result.Stdout.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
        return objects;
    }

    /// <summary>The typed objects of <paramref name="yaml"/>; fails the test on any field the model does not have.</summary>
    public static IReadOnlyList<object> ReadStrict(string yaml, string label)
    {
        try
        {
            var objects = KubernetesYaml.LoadAllFromString(yaml, typeMap: null, strict: true);
            Assert.All(objects, item => Assert.IsAssignableFrom<IKubernetesObject>(item));
            return objects.ToList();
        }
        catch (YamlDotNet.Core.YamlException exception)
        {
            Assert.Fail($"{label}: not a valid Kubernetes object: {exception.Message} {exception.InnerException?.Message}");
            throw;
        }
    }

    public static async Task<ProcessResult> ValidateAsync(params string[] files) =>
        await (await DeployTools.GetAsync()).ValidateAsync(files);

    public static T Single<T>(IEnumerable<object> objects) => Assert.Single(objects.OfType<T>());

    /// <summary>The environment the Deployment's container gets: its env values, then the ConfigMaps and Secrets it names.</summary>
    public static Dictionary<string, string> ContainerEnvironment(IReadOnlyList<object> objects)
    {
        var container = Assert.Single(Single<V1Deployment>(objects).Spec.Template.Spec.Containers);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } configMap)
            {
                var data = Assert.Single(objects.OfType<V1ConfigMap>(), map => map.Metadata.Name == configMap.Name).Data;
                foreach (var (key, value) in data)
                {
                    environment[key] = value;
                }
            }

            if (source.SecretRef is { } secret)
            {
                var data = Assert.Single(objects.OfType<V1Secret>(), item => item.Metadata.Name == secret.Name).StringData;
                foreach (var (key, value) in data)
                {
                    environment[key] = value;
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable.Value;
        }

        return environment;
    }
}
