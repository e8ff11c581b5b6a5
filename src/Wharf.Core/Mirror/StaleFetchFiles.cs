namespace Wharf.Core.Mirror;

/// <summary>
/// Temp files of blob fetches cut short by a crash or a kill (a fetch that ends in the process removes its own). A fetch
/// lasts at most <see cref="MirrorOptions.FetchTimeout"/>, so a file not written to for longer than that (and a minute)
/// belongs to no running fetch, of this instance or of another sharing the directory.
/// </summary>
public static class StaleFetchFiles
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    /// <summary>Deletes the stale files in <see cref="MirrorOptions.FetchDirectory"/>; returns how many went.</summary>
    public static int Sweep(MirrorOptions options, DateTimeOffset now)
    {
        var directory = new DirectoryInfo(options.FetchDirectory);
        if (!directory.Exists)
        {
            return 0;
        }

        var cutoff = now - options.FetchTimeout - Margin;
        var removed = 0;
        foreach (var file in directory.EnumerateFiles())
        {
            try
            {
                if (file.LastWriteTimeUtc < cutoff.UtcDateTime)
                {
                    file.Delete();
                    removed++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another instance removed it first, or it is not ours to remove: either way not this sweep's concern.
            }
        }

        return removed;
    }
}
