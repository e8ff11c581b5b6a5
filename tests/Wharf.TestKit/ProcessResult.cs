namespace Wharf.TestKit;

/// <summary>The outcome of one command run by <see cref="ProcessRunner"/>.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Everything a failure message needs: the command, its exit code and both streams.</summary>
    public string Describe() =>
        $"$ {CommandLine}\nexit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";

    /// <summary>Throws with the full transcript unless the command exited 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new CommandFailedException(this);
        }

        return this;
    }
}

/// <summary>A command exited non-zero; the message carries its stdout and stderr.</summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException(ProcessResult result)
        : base("command failed:\n" + result.Describe()) => Result = result;

    public ProcessResult Result { get; }
}
