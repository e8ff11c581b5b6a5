namespace Wharf.Core.Mirror;

/// <summary>A repository of Wharf's that caches <paramref name="UpstreamName"/> of <paramref name="Upstream"/>.</summary>
public sealed record MirroredName(UpstreamOptions Upstream, string Repository, string UpstreamName);

/// <summary>Maps repository names to upstreams: by prefix, in mirror mode, and by containerd's <c>ns=</c>.</summary>
public sealed class MirrorNames(MirrorOptions options)
{
    /// <summary>Whether <paramref name="repository"/> is under a configured upstream's prefix.</summary>
    public bool IsCached(string repository) => Resolve(repository) is not null;

    public bool Enabled => options.Enabled;

    /// <summary>The upstream caching <paramref name="repository"/>, or null when it is one of Wharf's own.</summary>
    public MirroredName? Resolve(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        var prefix = repository[..slash];
        var upstream = options.Upstreams.FirstOrDefault(u => u.Prefix == prefix);
        if (upstream is null)
        {
            return null;
        }

        var rest = repository[(slash + 1)..];
        var name = upstream.LibraryPrefix && !rest.Contains('/', StringComparison.Ordinal) ? "library/" + rest : rest;
        return new MirroredName(upstream, repository, name);
    }

    /// <summary>
    /// The cached name a pull without a prefix stands for: with <paramref name="ns"/> (containerd), the upstream serving
    /// that registry host; without it, the <see cref="MirrorOptions.Default"/> upstream. Null when neither applies or the
    /// name has a configured prefix already.
    /// </summary>
    public string? Rewrite(string repository, string? ns)
    {
        if (!options.Enabled || Resolve(repository) is not null)
        {
            return null;
        }

        var upstream = ns is null
            ? options.Upstreams.FirstOrDefault(u => u.Prefix == options.Default)
            : options.Upstreams.FirstOrDefault(u => u.Namespaces.Contains(ns, StringComparer.OrdinalIgnoreCase));
        if (upstream is null)
        {
            return null;
        }

        var name = upstream.Prefix + "/" + repository;
        return name.Length <= Protocol.RepositoryName.MaxLength ? name : null;
    }
}
