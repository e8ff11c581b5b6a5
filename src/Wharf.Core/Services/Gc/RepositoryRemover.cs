using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;

namespace Wharf.Core.Services.Gc;

/// <summary>
/// Deletes whole repositories (API, CLI, UI); their blobs are reclaimed by the collector after the grace period. A
/// repository holding an immutable tag (<paramref name="immutable"/>) is not deleted.
/// </summary>
public sealed class RepositoryRemover(
    IRepositoryDeleter deleter, IEnumerable<IMetadataChangeObserver> observers, ImmutableTagPolicy? immutable = null, IRetentionReader? tags = null)
{
    /// <summary>True when the repository was deleted; <c>NAME_UNKNOWN</c> when there was none; <c>DENIED</c> when it holds an immutable tag.</summary>
    public async ValueTask<Result<bool>> DeleteAsync(string repository, CancellationToken cancellationToken)
    {
        // Checked before the delete, not in its transaction: a first push of an immutable tag racing the delete of its
        // whole repository goes with the repository.
        if (immutable is not null && tags is not null && immutable.Covers(repository))
        {
            foreach (var tag in await tags.ListTagsAsync(repository, cancellationToken))
            {
                if (immutable.Match(repository, tag.Name) is { } rule)
                {
                    return new RegistryError(ErrorCode.Denied, $"repository {repository} holds tag {tag.Name}, immutable under {rule.Name}: it cannot be deleted", new { repository, tag = tag.Name, rule = rule.Name });
                }
            }
        }

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
