namespace Wharf.Core.Storage;

/// <summary>
/// The storage service could not be reached or did not answer in time. A retry may succeed; the registry
/// answers 503 UNAVAILABLE. Drivers throw it instead of their SDK's transport errors.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
