using Wharf.EndToEndTests.Faults;

namespace Wharf.EndToEndTests.Deploy;

/// <summary>Where the deployment recipes live in the repository (<c>deploy/…</c>).</summary>
internal static class DeployFiles
{
    public static string Root => Path.Combine(PrivatePostgres.RepositoryRoot(), "deploy");

    public static string SystemdUnit => Path.Combine(Root, "systemd", "wharf.service");

    public static string KubernetesDirectory(string variant) => Path.Combine(Root, "kubernetes", variant);

    public static string HelmChart => Path.Combine(Root, "helm", "wharf");

    /// <summary>The drain time Wharf uses unless told otherwise; every stop timeout must exceed it.</summary>
    public static TimeSpan DefaultDrainTime => new Wharf.Http.Health.ShutdownOptions().DrainTime;
}
