using System.Collections.Concurrent;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// Presigned redirects. A published blob never changes (its path is its digest), so where its bytes are (its own key, or
/// its pointer's data object) is remembered for <see cref="S3StorageOptions.RedirectCacheLifetime"/>: a redirected GET of
/// a known blob sends no request to the store. Deletes and writes on this instance forget the path at once.
/// </summary>
public sealed partial class S3Driver
{
    /// <summary>Entries kept at most; past it the cache starts again empty (a bound, not a policy: it refills from requests).</summary>
    internal const int RedirectCacheSize = 10_000;

    private readonly ConcurrentDictionary<string, (string Key, DateTimeOffset Until)> _redirects = new(StringComparer.Ordinal);

    /// <summary>
    /// A presigned GET of the object's bytes: of the data object when the path holds a pointer (one HEAD to find out, or
    /// none for a blob found in the cache). A segment list (an upload in progress) has no single object to point at:
    /// null, so the registry streams it.
    /// </summary>
    public async ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        var now = _time.GetUtcNow();
        string target;
        if (_redirects.TryGetValue(path, out var cached) && cached.Until > now)
        {
            target = cached.Key;
        }
        else
        {
            var head = await HeadAsync(key, cancellationToken);
            if (head is { IsList: true })
            {
                return null;
            }

            target = head is { IsPointer: true } pointer ? PhysicalKey(pointer.Data!) : key;
            if (head is not null && Options.RedirectCacheLifetime > TimeSpan.Zero && path.StartsWith(StorageLayout.BlobsRoot + "/", StringComparison.Ordinal))
            {
                if (_redirects.Count >= RedirectCacheSize)
                {
                    _redirects.Clear();
                }

                _redirects[path] = (target, now + Options.RedirectCacheLifetime);
            }
        }

        var url = await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = target,
            Verb = HttpVerb.GET,
            Expires = now.Add(Options.RedirectLifetime).UtcDateTime,
            Protocol = new Uri(Options.Endpoint).Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    /// <summary>Forgets where <paramref name="path"/> (and, for a directory, everything under it) redirects to.</summary>
    internal void ForgetRedirect(string path)
    {
        _redirects.TryRemove(path, out _);
        if (_redirects.IsEmpty || !(path.StartsWith(StorageLayout.BlobsRoot, StringComparison.Ordinal) || StorageLayout.BlobsRoot.StartsWith(path, StringComparison.Ordinal)))
        {
            return; // nothing under it can be cached (only blobs are)
        }

        var directory = path + "/";
        foreach (var entry in _redirects.Keys)
        {
            if (entry.StartsWith(directory, StringComparison.Ordinal))
            {
                _redirects.TryRemove(entry, out _);
            }
        }
    }
}
