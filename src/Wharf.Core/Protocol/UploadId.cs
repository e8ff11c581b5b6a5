namespace Wharf.Core.Protocol;

/// <summary>Upload session ids: 32 lower-case hex characters (a random 128-bit value).</summary>
public static class UploadId
{
    public static string New() => Guid.NewGuid().ToString("N");

    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.Length != 32)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
