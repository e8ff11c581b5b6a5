using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Clients;

/// <summary>
/// podman or buildah with their own vfs image store (--root/--runroot in a test directory; podman
/// wants a runroot path of at most 50 characters, so keep the directory name short), so
/// tests neither see nor touch the machine's containers storage.
/// </summary>
internal sealed class ContainersStorageClient
{
    private readonly string _executable;
    private readonly string[] _globalOptions;
    private readonly Func<string>? _registryLog;

    private ContainersStorageClient(string executable, string[] globalOptions, string tmp, Func<string>? registryLog)
    {
        _executable = executable;
        _globalOptions = globalOptions;
        _registryLog = registryLog;
        Tmp = Directory.CreateDirectory(tmp).FullName;
    }

    /// <summary>The storage's own scratch directory (also handy for digest files).</summary>
    public string Tmp { get; }

    public static ContainersStorageClient Podman(string directory, Func<string>? registryLog = null)
    {
        var (root, runRoot, tmp) = Paths(directory);
        return new ContainersStorageClient(
            RequiredTool.Find("podman", "podman"),
            ["--root", root, "--runroot", runRoot, "--storage-driver", "vfs", "--events-backend", "none", "--cgroup-manager", "cgroupfs", "--tmpdir", tmp],
            tmp,
            registryLog);
    }

    public static ContainersStorageClient Buildah(string directory, Func<string>? registryLog = null)
    {
        var (root, runRoot, tmp) = Paths(directory);
        return new ContainersStorageClient(
            RequiredTool.Find("buildah", "buildah"),
            ["--root", root, "--runroot", runRoot, "--storage-driver", "vfs"],
            tmp,
            registryLog);
    }

    public async Task<ProcessResult> RunAsync(params string[] arguments) =>
        await ProcessRunner.RunAsync(_executable, [.. _globalOptions, .. arguments], new Dictionary<string, string?> { ["TMPDIR"] = Tmp });

    public async Task<ProcessResult> RunCheckedAsync(params string[] arguments) => ClientFailure.Check(await RunAsync(arguments), _registryLog);

    /// <summary>Runs a push-like command with <c>--digestfile</c> appended to <paramref name="options"/> and returns the digest written.</summary>
    public async Task<string> RunWithDigestFileAsync(string[] options, params string[] operands)
    {
        var digestFile = Path.Combine(Tmp, $"digest-{Guid.NewGuid():N}");
        await RunCheckedAsync([.. options, "--digestfile", digestFile, .. operands]);
        return (await File.ReadAllTextAsync(digestFile)).Trim();
    }

    private static (string Root, string RunRoot, string Tmp) Paths(string directory) =>
        (Path.Combine(directory, "root"), Path.Combine(directory, "run"), Path.Combine(directory, "tmp"));
}
