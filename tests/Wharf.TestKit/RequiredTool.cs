namespace Wharf.TestKit;

/// <summary>
/// Finds command-line tools on PATH. A missing tool is an error naming the Debian package that
/// provides it, so an end-to-end test fails loudly instead of passing without running.
/// </summary>
public static class RequiredTool
{
    /// <summary>Returns the full path of <paramref name="command"/> or throws naming <paramref name="debianPackage"/>.</summary>
    public static string Find(string command, string debianPackage) =>
        TryFind(command) ?? throw new InvalidOperationException(
            $"'{command}' is not installed (not found on PATH). Install the Debian package '{debianPackage}' "
            + $"(apt-get install -y --no-install-recommends {debianPackage}; see scripts/e2e-deps.sh).");

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? TryFind(string command)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(command) ? command : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        var directories = path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin"]);
        return directories
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);
    }
}
