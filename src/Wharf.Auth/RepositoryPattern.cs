using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.Auth;

/// <summary>
/// A repository pattern of a policy rule: <c>*</c> matches any characters within one path segment,
/// <c>**</c> any characters across segments; everything else matches itself. <c>team-a/**</c> matches
/// <c>team-a/app</c> and <c>team-a/x/y</c>, not <c>team-a</c>.
/// </summary>
public sealed class RepositoryPattern
{
    private readonly Regex _regex;

    private RepositoryPattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
    }

    public string Text { get; }

    public static bool TryCreate(string text, [NotNullWhen(true)] out RepositoryPattern? pattern)
    {
        pattern = null;
        if (string.IsNullOrWhiteSpace(text) || text.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '/' or '*')))
        {
            return false;
        }

        var regex = new StringBuilder("^");
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '*' && i + 1 < text.Length && text[i + 1] == '*')
            {
                regex.Append(".*");
                i++;
            }
            else if (text[i] == '*')
            {
                regex.Append("[^/]*");
            }
            else
            {
                regex.Append(Regex.Escape(text[i].ToString()));
            }
        }

        pattern = new RepositoryPattern(text, new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
        return true;
    }

    public bool Matches(string repository) => _regex.IsMatch(repository);
}
