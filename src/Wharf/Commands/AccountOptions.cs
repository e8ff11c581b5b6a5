using System.CommandLine;
using System.Text.RegularExpressions;

namespace Wharf.Commands;

/// <summary>Options and checks shared by the <c>user</c> and <c>token</c> commands.</summary>
public static partial class AccountOptions
{
    public const string RobotPrefix = "robot.";

    public static Option<string?> Data() => new("--data") { Description = "Data directory (default ./data)" };

    public static Option<string?> Config() => new("--config") { Description = "Config file, YAML or JSON" };

    public static bool IsValidName(string name) => UserName().IsMatch(name);

    /// <summary>The password from <c>--password</c>, or the first line of standard input with <c>--password-stdin</c>.</summary>
    public static string? ReadPassword(string? password, bool fromStdin)
    {
        if (fromStdin)
        {
            return Console.In.ReadLine()?.TrimEnd('\r');
        }

        return password;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex UserName();
}
