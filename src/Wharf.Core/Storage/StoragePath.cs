namespace Wharf.Core.Storage;

/// <summary>The grammar of storage paths, shared by every driver.</summary>
public static class StoragePath
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="path"/> is relative, '/'-separated, with no empty, '.' or '..' segment.</summary>
    public static string Validate(string path)
    {
        if (path.Length == 0 || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal)
            || path.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"Not a valid storage path: '{path}'", nameof(path));
        }

        return path;
    }
}
