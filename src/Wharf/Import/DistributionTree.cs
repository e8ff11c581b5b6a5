using Wharf.Core.Protocol;

namespace Wharf.Import;

/// <summary>A <c>link</c> file of a Distribution repository: the digest it names, or null when the file is missing or unreadable.</summary>
public sealed record DistributionLink(string Name, Digest? Digest);

/// <summary>What a Distribution repository directory holds: its blob links, manifest revisions and tags.</summary>
public sealed record DistributionRepository(string Name, IReadOnlyList<DistributionLink> Layers, IReadOnlyList<DistributionLink> Revisions, IReadOnlyList<DistributionLink> Tags)
{
    public int Steps => Layers.Count + Revisions.Count + Tags.Count;
}

/// <summary>
/// Reads the filesystem storage of CNCF Distribution (registry:2), read-only:
/// <code>
/// docker/registry/v2/
///   blobs/sha256/ab/abcdef…/data                             bytes of blobs and manifests
///   repositories/&lt;name…&gt;/_layers/sha256/&lt;hex&gt;/link          blobs the repository may use
///   repositories/&lt;name…&gt;/_manifests/revisions/sha256/&lt;hex&gt;/link  its manifests
///   repositories/&lt;name…&gt;/_manifests/tags/&lt;tag&gt;/current/link  where a tag points (index/ keeps its history, ignored)
///   repositories/&lt;name…&gt;/_uploads/                         uploads in progress (ignored)
/// </code>
/// Repository names may be nested (<c>team/app</c>, and <c>team</c> itself may be a repository too): a repository is a
/// directory holding <c>_manifests</c> or <c>_layers</c>.
/// </summary>
public sealed class DistributionTree
{
    private DistributionTree(string root) => Root = root;

    /// <summary>The <c>docker/registry/v2</c> directory.</summary>
    public string Root { get; }

    private string RepositoriesRoot => Path.Combine(Root, "repositories");

    /// <summary>
    /// The tree under <paramref name="directory"/>: Distribution's root directory (its <c>rootdirectory</c>, the volume
    /// mounted at <c>/var/lib/registry</c>), or its <c>docker/registry/v2</c> directory itself. Null when neither is one.
    /// </summary>
    public static DistributionTree? Find(string directory)
    {
        foreach (var candidate in new[] { Path.Combine(directory, "docker", "registry", "v2"), directory })
        {
            if (Directory.Exists(Path.Combine(candidate, "blobs")) || Directory.Exists(Path.Combine(candidate, "repositories")))
            {
                return new DistributionTree(Path.GetFullPath(candidate));
            }
        }

        return null;
    }

    /// <summary>Where the bytes of <paramref name="digest"/> are.</summary>
    public string BlobData(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Encoded[..2], digest.Encoded, "data");

    /// <summary>Every repository, by name (ordinal order).</summary>
    public IReadOnlyList<DistributionRepository> Repositories()
    {
        var names = new List<string>();
        if (Directory.Exists(RepositoriesRoot))
        {
            Walk(RepositoriesRoot, "", names);
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names.Select(Read)];
    }

    private static void Walk(string directory, string name, List<string> names)
    {
        if (name.Length > 0 && (Directory.Exists(Path.Combine(directory, "_manifests")) || Directory.Exists(Path.Combine(directory, "_layers"))))
        {
            names.Add(name);
        }

        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            var part = Path.GetFileName(child);
            if (!part.StartsWith('_'))
            {
                Walk(child, name.Length == 0 ? part : name + "/" + part, names);
            }
        }
    }

    private DistributionRepository Read(string name)
    {
        var directory = Path.Combine(RepositoriesRoot, name.Replace('/', Path.DirectorySeparatorChar));
        return new DistributionRepository(
            name,
            DigestLinks(Path.Combine(directory, "_layers")),
            DigestLinks(Path.Combine(directory, "_manifests", "revisions")),
            TagLinks(Path.Combine(directory, "_manifests", "tags")));
    }

    /// <summary>The <c>&lt;algorithm&gt;/&lt;hex&gt;/link</c> entries under <paramref name="directory"/>, named by the digest their directories spell.</summary>
    private static List<DistributionLink> DigestLinks(string directory)
    {
        var links = new List<DistributionLink>();
        if (!Directory.Exists(directory))
        {
            return links;
        }

        foreach (var algorithm in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            foreach (var entry in Directory.EnumerateDirectories(algorithm).Order(StringComparer.Ordinal))
            {
                links.Add(new DistributionLink($"{Path.GetFileName(algorithm)}:{Path.GetFileName(entry)}", ReadLink(Path.Combine(entry, "link"))));
            }
        }

        return links;
    }

    private static List<DistributionLink> TagLinks(string directory)
    {
        var links = new List<DistributionLink>();
        if (!Directory.Exists(directory))
        {
            return links;
        }

        foreach (var tag in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            links.Add(new DistributionLink(Path.GetFileName(tag), ReadLink(Path.Combine(tag, "current", "link"))));
        }

        return links;
    }

    /// <summary>A link file holds one digest (<c>sha256:…</c>, no newline); anything else reads as no link.</summary>
    private static Digest? ReadLink(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > 256)
            {
                return null;
            }

            return Digest.TryParse(File.ReadAllText(path).Trim(), out var digest) ? digest : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
