namespace Wharf.Core.Protocol;

/// <summary>
/// A repository name as the distribution spec's grammar allows:
/// path components of <c>[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*</c> separated by <c>/</c>, at most 255 characters.
/// A valid name never contains <c>..</c>, <c>%</c> or an empty component.
/// </summary>
public static class RepositoryName
{
    public const int MaxLength = 255;

    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var range in name.Split('/'))
        {
            if (!IsValidComponent(name[range]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidComponent(ReadOnlySpan<char> c)
    {
        if (c.IsEmpty || !IsAlnum(c[0]) || !IsAlnum(c[^1]))
        {
            return false;
        }

        var i = 0;
        while (i < c.Length)
        {
            if (IsAlnum(c[i]))
            {
                i++;
                continue;
            }

            // A separator: '.', '_', '__' or one or more '-', always followed by an alphanumeric.
            var start = i;
            if (c[i] == '.')
            {
                i++;
            }
            else if (c[i] == '_')
            {
                i++;
                if (i < c.Length && c[i] == '_')
                {
                    i++;
                }
            }
            else if (c[i] == '-')
            {
                while (i < c.Length && c[i] == '-')
                {
                    i++;
                }
            }
            else
            {
                return false;
            }

            if (i == start || i >= c.Length || !IsAlnum(c[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlnum(char ch) => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
