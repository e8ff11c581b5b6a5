using Wharf.TestKit;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>Turns a failed client command into an exception that carries its output and the logs that explain it.</summary>
internal static class ClientFailure
{
    private const int MaxLog = 6000;

    /// <summary>Returns <paramref name="result"/> if it succeeded, else throws with its transcript and the given logs.</summary>
    public static ProcessResult Check(ProcessResult result, Func<string>? registryLog, params (string Name, string Text)[] logs)
    {
        if (result.Succeeded)
        {
            return result;
        }

        var message = "client command failed:\n" + result.Describe();
        foreach (var (name, text) in logs.Append(("registry log", registryLog?.Invoke() ?? string.Empty)))
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                message += $"\n--- {name} (tail) ---\n{(text.Length > MaxLog ? text[^MaxLog..] : text)}";
            }
        }

        throw new InvalidOperationException(message);
    }
}
