using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Policies;

/// <summary>Quotas in bytes per namespace (config <c>Quotas:Namespaces</c>), and <paramref name="Default"/> for namespaces not listed (null: unlimited).</summary>
public sealed record QuotaPolicy(IReadOnlyDictionary<string, long> Namespaces, long? Default)
{
    public static QuotaPolicy None { get; } = new(new Dictionary<string, long>(), null);

    /// <summary>The quota of <paramref name="namespaceName"/>, or null when it has none.</summary>
    public long? QuotaOf(string namespaceName) => Namespaces.TryGetValue(namespaceName, out var quota) ? quota : Default;
}

/// <summary>A namespace's storage: <paramref name="Usage"/> bytes of distinct blobs, out of <paramref name="Quota"/> (null: unlimited).</summary>
public sealed record NamespaceUsage(string Namespace, long Usage, long? Quota);

/// <summary>
/// Enforces namespace quotas where blobs are linked (completed uploads, monolithic pushes, mounts): a blob the namespace
/// does not link yet may link only while usage plus its size stays within the quota. The final check and the link are
/// one transaction of the store; <see cref="RefusalAsync"/> is an early check, so an upload over quota is refused before
/// its bytes are published.
/// </summary>
public sealed class NamespaceQuotas(QuotaPolicy policy, INamespaceUsageStore store, IBlobIndex blobs, Events.IRefusalEvents? refusals = null)
{
    public QuotaPolicy Policy => policy;

    public async ValueTask<NamespaceUsage> StatusAsync(string namespaceName, CancellationToken cancellationToken) =>
        new(namespaceName, await store.UsageAsync(namespaceName, cancellationToken), policy.QuotaOf(namespaceName));

    /// <summary>The refusal for storing <paramref name="digest"/> of <paramref name="size"/> bytes in <paramref name="repository"/>, or null when it fits now.</summary>
    public async ValueTask<RegistryError?> RefusalAsync(string repository, Digest digest, long size, CancellationToken cancellationToken)
    {
        var namespaceName = RepositoryNamespace.Of(repository);
        if (policy.QuotaOf(namespaceName) is not { } quota)
        {
            return null;
        }

        var usage = await store.UsageAsync(namespaceName, cancellationToken);
        return usage + size <= quota || await store.ContainsAsync(namespaceName, digest, cancellationToken)
            ? null
            : await ExceededAsync(repository, namespaceName, digest, size, usage, quota);
    }

    /// <summary>Links an uploaded blob to the repository, within the namespace's quota (atomically with the check); the refusal when it does not fit.</summary>
    public async ValueTask<RegistryError?> LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken)
    {
        var namespaceName = RepositoryNamespace.Of(repository);
        if (policy.QuotaOf(namespaceName) is not { } quota)
        {
            await blobs.LinkAsync(repository, blob, completedUpload, cancellationToken);
            return null;
        }

        var link = await store.LinkWithinQuotaAsync(repository, blob, completedUpload, quota, cancellationToken);
        return link.Linked ? null : await ExceededAsync(repository, namespaceName, blob.Digest, blob.Size, link.Usage, quota);
    }

    /// <summary>
    /// Mounts a recorded blob into the repository, within the namespace's quota: true when linked, false when the blob is
    /// not recorded any more (not mountable), the refusal when it does not fit.
    /// </summary>
    public async ValueTask<Result<bool>> MountAsync(string repository, BlobInfo blob, CancellationToken cancellationToken)
    {
        var namespaceName = RepositoryNamespace.Of(repository);
        if (policy.QuotaOf(namespaceName) is not { } quota)
        {
            return await blobs.LinkExistingAsync(repository, blob.Digest, cancellationToken);
        }

        var link = await store.MountWithinQuotaAsync(repository, blob, quota, cancellationToken);
        return link.Outcome switch
        {
            QuotaLinkOutcome.Linked => true,
            QuotaLinkOutcome.BlobGone => false,
            _ => await ExceededAsync(repository, namespaceName, blob.Digest, blob.Size, link.Usage, quota),
        };
    }

    /// <summary>The quota refusal, after reporting it to the webhook endpoints that ask for refusals.</summary>
    private async ValueTask<RegistryError> ExceededAsync(string repository, string namespaceName, Digest digest, long size, long usage, long quota)
    {
        if (refusals is not null)
        {
            await refusals.RefusedAsync(Events.EventActions.QuotaExceeded, repository, null, digest.Value, size);
        }

        return new(
            ErrorCode.Denied,
            $"quota exceeded: namespace {namespaceName} uses {PolicyText.FormatSize(usage)} ({usage} bytes) of its quota of {PolicyText.FormatSize(quota)} ({quota} bytes); blob {digest} needs {size} bytes more",
            new { @namespace = namespaceName, usage, quota, size });
    }
}
