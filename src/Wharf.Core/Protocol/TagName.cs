namespace Wharf.Core.Protocol;

/// <summary>A tag: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
public static class TagName
{
    public const int MaxLength = 128;

    public static bool IsValid(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty || tag.Length > MaxLength || !IsWord(tag[0]))
        {
            return false;
        }

        foreach (var ch in tag[1..])
        {
            if (!IsWord(ch) && ch is not ('.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWord(char ch) =>
        ch is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_';
}
