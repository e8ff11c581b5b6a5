namespace Wharf.Core.Storage;

/// <summary>
/// A write found no room: the disk (ENOSPC), a disk quota (EDQUOT) or the database file is full. Nothing of the write
/// is kept; the registry answers 507 and the same write succeeds once space is freed. An <see cref="IOException"/>, so
/// that background work which tolerates I/O errors tolerates this one too.
/// </summary>
public sealed class StorageFullException : IOException
{
    private const int NoSpaceLeft = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT

    public StorageFullException()
    {
    }

    public StorageFullException(string message)
        : base(message)
    {
    }

    public StorageFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether an I/O error is the file system's "no space left" (.NET puts the errno in the HResult on Unix).</summary>
    public static bool IsOutOfSpace(IOException e) => e.HResult is NoSpaceLeft or QuotaExceeded;
}
