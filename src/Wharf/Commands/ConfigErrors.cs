using Microsoft.Extensions.Options;

namespace Wharf.Commands;

/// <summary>Turns configuration mistakes into one clear line on stderr and exit code 2, instead of a stack trace.</summary>
public static class ConfigErrors
{
    public const int ExitCode = 2;

    public static int Report(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsConfigError(e))
        {
            return Print(e);
        }
    }

    public static async Task<int> ReportAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (IsConfigError(e))
        {
            return Print(e);
        }
    }

    private static bool IsConfigError(Exception e) =>
        e is OptionsValidationException or FormatException or FileNotFoundException or InvalidDataException
        || e is InvalidOperationException { InnerException: FormatException or OptionsValidationException }
        || IsBindFailure(e);

    /// <summary>Kestrel's "Failed to bind to address …": the listen address is taken or not this machine's.</summary>
    private static bool IsBindFailure(Exception e) =>
        e is IOException and not FileNotFoundException && e.Message.Contains("bind", StringComparison.OrdinalIgnoreCase);

    private static int Print(Exception e)
    {
        var inner = e is InvalidOperationException { InnerException: { } i } ? i : e;
        // A listen address that is taken is not a mistake in the file: say what happened, not "invalid".
        var what = IsBindFailure(inner) ? "cannot listen: " : "configuration is invalid: ";
        Console.Error.WriteLine("wharf: " + what + inner.Message);
        return ExitCode;
    }
}
