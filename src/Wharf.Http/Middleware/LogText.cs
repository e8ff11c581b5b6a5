using System.Globalization;
using System.Text;

namespace Wharf.Http.Middleware;

/// <summary>
/// Makes a value a caller supplied (a user name, a path) safe for one log line: every control character
/// (CR, LF, ESC, …) is written as <c>\xNN</c> and a backslash as <c>\\</c>, so a value can neither end the
/// line nor forge another nor drive a terminal.
/// </summary>
public static class LogText
{
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value ?? "";
        }

        var clean = true;
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c == '\\')
            {
                text.Append(@"\\");
            }
            else if (NeedsEscape(c))
            {
                text.Append(c <= 0xFF ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}") : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c == '\\' || char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';
}
