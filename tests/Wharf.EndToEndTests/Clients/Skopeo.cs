using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Clients;

/// <summary>skopeo (Debian package <c>skopeo</c>) against a plain-HTTP registry.</summary>
internal sealed class Skopeo(Func<string>? registryLog = null)
{
    private readonly string _executable = RequiredTool.Find("skopeo", "skopeo");

    /// <summary>Runs skopeo; the caller looks at the exit code.</summary>
    public Task<ProcessResult> RunAsync(params string[] arguments) => ProcessRunner.RunAsync(_executable, arguments);

    /// <summary>Runs skopeo and fails with its output and the registry log unless it exits 0.</summary>
    public async Task<ProcessResult> RunCheckedAsync(params string[] arguments) =>
        ClientFailure.Check(await RunAsync(arguments), registryLog);

    /// <summary><c>skopeo copy</c> with TLS verification off on both sides; extra options come first.</summary>
    public async Task<ProcessResult> CopyAsync(string source, string destination, params string[] options) =>
        await RunCheckedAsync(["copy", "--src-tls-verify=false", "--dest-tls-verify=false", .. options, source, destination]);

    /// <summary>Copies to <c>docker://<paramref name="reference"/></c> and returns the manifest digest skopeo wrote there.</summary>
    public async Task<string> PushAsync(string source, string reference, string workDirectory, params string[] options)
    {
        var digestFile = Path.Combine(workDirectory, $"digest-{Guid.NewGuid():N}");
        await CopyAsync(source, "docker://" + reference, ["--digestfile", digestFile, .. options]);
        return (await File.ReadAllTextAsync(digestFile)).Trim();
    }

    public async Task<ProcessResult> InspectAsync(string reference, params string[] options) =>
        await RunCheckedAsync(["inspect", "--tls-verify=false", .. options, "docker://" + reference]);
}
