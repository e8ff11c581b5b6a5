using Wharf.TestKit;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// A tmpfs of a few MiB mounted on a fresh directory: a disk that fills quickly. Mounting needs root (the tests run as
/// root in CI and in the dev container); without it the constructor fails loudly rather than the test passing unrun.
/// <see cref="Fill"/> takes space with a file of its own, <see cref="Free"/> gives it back. Unmounted on dispose.
/// </summary>
internal sealed class SmallDisk : IAsyncDisposable
{
    private const int Block = 64 * 1024;
    private readonly TempDirectory _mountPoint = new("wharf-small-disk");

    private SmallDisk()
    {
    }

    /// <summary>The mounted directory.</summary>
    public string Path => _mountPoint.Path;

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    /// <summary>Free bytes on the disk now.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public static async Task<SmallDisk> MountAsync(int megabytes)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The disk-full tests mount a tmpfs and must run as root (as ./test.sh does in CI).");
        }

        var disk = new SmallDisk();
        var mounted = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", disk.Path]);
        if (mounted.ExitCode != 0)
        {
            disk._mountPoint.Dispose();
            throw new InvalidOperationException($"mount -t tmpfs failed: {mounted.Stderr}");
        }

        return disk;
    }

    /// <summary>Takes all but <paramref name="leaveFree"/> bytes (rounded down to whole 64 KiB blocks); with 0, every last byte.</summary>
    public void Fill(long leaveFree = 0)
    {
        var block = new byte[Block];
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.None, 0);
        try
        {
            while (FreeBytes - Block >= leaveFree)
            {
                filler.Write(block);
            }

            if (leaveFree == 0)
            {
                while (true)
                {
                    filler.Write(block.AsSpan(0, 512));
                }
            }
        }
        catch (IOException) when (FreeBytes < Block)
        {
            // The disk is full, as asked.
        }
    }

    /// <summary>Deletes the filler: the space it took is free again.</summary>
    public void Free() => File.Delete(FillerPath);

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("umount", ["-l", Path]);
        _mountPoint.Dispose();
    }
}
