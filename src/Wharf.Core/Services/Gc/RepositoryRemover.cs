using Wharf.Core.Errors;
using Wharf.Core.Metadata;

namespace Wharf.Core.Services.Gc;

/// <summary>Deletes whole repositories (API, CLI, UI); their blobs are reclaimed by the collector after the grace period.</summary>
public sealed class RepositoryRemover(IRepositoryDeleter deleter, IEnumerable<IMetadataChangeObserver> observers)
{
    /// <summary>True when the repository was deleted; <c>NAME_UNKNOWN</c> when there was none.</summary>
    public async ValueTask<Result<bool>> DeleteAsync(string repository, CancellationToken cancellationToken)
    {
        if (!await deleter.DeleteAsync(repository, cancellationToken))
        {
            return ErrorCode.NameUnknown;
        }

        foreach (var observer in observers)
        {
            observer.RepositoryRemoved(repository);
        }

        return true;
    }
}
