using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.Core.Policies;

/// <summary>A tag pattern of an immutable-tag rule: <c>*</c> matches any characters, <c>?</c> one; everything else matches itself (<c>v*</c>, <c>release-?.*</c>).</summary>
public sealed class TagPattern
{
    private readonly Regex _regex;

    private TagPattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
    }

    public string Text { get; }

    public static bool TryCreate(string? text, [NotNullWhen(true)] out TagPattern? pattern)
    {
        pattern = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 128 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '*' or '?')))
        {
            return false;
        }

        var regex = new StringBuilder("^");
        foreach (var c in text)
        {
            regex.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }

        pattern = new TagPattern(text, new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
        return true;
    }

    public bool Matches(string tag) => _regex.IsMatch(tag);
}
