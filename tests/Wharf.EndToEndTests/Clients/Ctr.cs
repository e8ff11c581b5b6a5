using Wharf.TestKit;

namespace Wharf.EndToEndTests.Clients;

/// <summary><c>ctr</c> (Debian package <c>containerd</c>) talking to a test containerd, in its own namespace.</summary>
internal sealed class Ctr(string socket)
{
    private readonly string _executable = RequiredTool.Find("ctr", "containerd");

    public async Task<ProcessResult> RunAsync(params string[] arguments) =>
        (await ProcessRunner.RunAsync(_executable, ["--address", socket, "--namespace", "wharf-e2e", .. arguments])).EnsureSuccess();

    /// <summary>The target digest of <paramref name="reference"/> as <c>ctr images ls</c> shows it.</summary>
    public async Task<string> ImageDigestAsync(string reference)
    {
        var list = await RunAsync("images", "ls");
        var line = list.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(reference + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{reference} is not in the image list:\n{list.Describe()}");
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(f => f.StartsWith("sha256:", StringComparison.Ordinal));
    }
}
