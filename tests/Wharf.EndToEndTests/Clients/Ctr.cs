using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Clients;

/// <summary><c>ctr</c> (Debian package <c>containerd</c>) talking to a test containerd, in its own namespace.</summary>
internal sealed class Ctr(ContainerdFixture containerd, Func<string>? registryLog = null)
{
    /// <summary>
    /// A containerd 1.6 client-side flake: ctr reading a blob from containerd's content store over
    /// gRPC while pushing multi-platform content occasionally fails with this, before any HTTP
    /// error. It is not a registry answer, so such a push is tried once more.
    /// </summary>
    private const string ContentStoreReadFlake = "rpc error: code = Internal desc = unexpected EOF";

    private readonly string _executable = RequiredTool.Find("ctr", "containerd");

    public async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var result = await RunOnceAsync(arguments);
        if (!result.Succeeded && arguments is ["images", "push", ..] && result.Stderr.Contains(ContentStoreReadFlake, StringComparison.Ordinal))
        {
            var retry = await RunOnceAsync(arguments);
            result = retry with { Stderr = $"(first try failed: {result.Stderr.Trim()})\n{retry.Stderr}" };
        }

        return ClientFailure.Check(result, registryLog, ("containerd log", containerd.Log));
    }

    /// <summary>The target digest of <paramref name="reference"/> as <c>ctr images ls</c> shows it.</summary>
    public async Task<string> ImageDigestAsync(string reference)
    {
        var list = await RunAsync("images", "ls");
        var line = list.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(reference + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{reference} is not in the image list:\n{list.Describe()}");
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(f => f.StartsWith("sha256:", StringComparison.Ordinal));
    }

    private Task<ProcessResult> RunOnceAsync(string[] arguments) =>
        ProcessRunner.RunAsync(_executable, ["--address", containerd.Socket, "--namespace", "wharf-e2e", .. arguments]);
}
