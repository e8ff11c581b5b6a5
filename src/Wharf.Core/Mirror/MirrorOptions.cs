using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Mirror;

/// <summary>The <c>Mirror</c> section: the upstreams Wharf caches under repository prefixes (docs/design/mirroring.md).</summary>
public sealed class MirrorOptions : IValidatableObject
{
    public List<UpstreamOptions> Upstreams { get; init; } = [];

    /// <summary>The <see cref="UpstreamOptions.Prefix"/> of the upstream serving mirror mode (pulls that name no prefix); none turns it off.</summary>
    public string? Default { get; set; }

    /// <summary>The longest an upstream blob fetch may take, whether or not a client still waits for it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Where blobs being fetched are written while clients follow them; the system's temp directory when unset.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>
    /// When every client of a blob fetch has gone and more than this many bytes are still to come, the fetch is cancelled
    /// and its temp file removed; with this much or less left it completes in the background, so the next pull is a hit.
    /// </summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long AbandonedFetchLimit { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Cached tags and manifests not served for this long are removed by the collector's storage pass, and their blobs
    /// are then reclaimed like any unreferenced blob (docs/design/mirroring.md, "Eviction"). Zero keeps them forever.
    /// </summary>
    public TimeSpan EvictAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The shortest <see cref="EvictAfter"/>: well above how often a served item's record is written (<see cref="ServedTimes.RecordInterval"/>).</summary>
    public static readonly TimeSpan MinimumEvictAfter = TimeSpan.FromDays(1);

    /// <summary>The directory fetches are written to: <see cref="TempDirectory"/>, or <c>wharf-mirror</c> in the system's temp directory.</summary>
    public string FetchDirectory => TempDirectory ?? Path.Combine(Path.GetTempPath(), "wharf-mirror");

    public bool Enabled => Upstreams.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        var namespaces = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Upstreams.Count; i++)
        {
            var upstream = Upstreams[i];
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(upstream, new ValidationContext(upstream), results, validateAllProperties: true);
            var index = i;
            foreach (var result in results.Concat(upstream.Check()))
            {
                yield return new ValidationResult($"Upstreams:{index}: {result.ErrorMessage}", result.MemberNames.Select(m => $"Upstreams:{index}:{m}").ToArray());
            }

            if (upstream.Prefix.Length > 0 && !prefixes.Add(upstream.Prefix))
            {
                yield return new ValidationResult($"Upstreams:{i}: the prefix '{upstream.Prefix}' is used by another upstream", [$"Upstreams:{i}:Prefix"]);
            }

            foreach (var ns in upstream.Namespaces.Where(n => !namespaces.Add(n)))
            {
                yield return new ValidationResult($"Upstreams:{i}: the namespace '{ns}' is served by another upstream", [$"Upstreams:{i}:Namespaces"]);
            }
        }

        if (EvictAfter != TimeSpan.Zero && (EvictAfter < MinimumEvictAfter || EvictAfter > TimeSpan.FromDays(3650)))
        {
            yield return new ValidationResult("EvictAfter must be 0 (never) or between 1.00:00:00 and 3650.00:00:00", [nameof(EvictAfter)]);
        }

        if (Default is { } name && !prefixes.Contains(name))
        {
            yield return new ValidationResult($"Default: '{name}' is not the prefix of a configured upstream", [nameof(Default)]);
        }
    }
}

/// <summary>One registry cached under a repository prefix.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The first segment of every cached repository's name: <c>hub</c> serves <c>hub/library/alpine</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", ErrorMessage = "Prefix must be one repository name segment (lower-case letters, digits, '.', '_', '-')")]
    public string Prefix { get; set; } = "";

    [Required]
    public Uri? Url { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Whether one-segment names get <c>library/</c> upstream (Docker Hub's official images).</summary>
    public bool LibraryPrefix { get; set; }

    /// <summary>How long a cached tag is served without asking the upstream (a <c>HEAD</c>) whether it moved.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan TagTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The registry host names a containerd <c>ns=</c> query parameter selects this upstream by (<c>docker.io</c>).</summary>
    public List<string> Namespaces { get; init; } = [];

    /// <summary>How long one upstream request may take before the upstream counts as unavailable (a blob body's transfer excepted).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    internal IEnumerable<ValidationResult> Check()
    {
        if (Url is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Url must be an absolute http:// or https:// address", [nameof(Url)]);
        }

        if ((Username is null) != (Password is null))
        {
            yield return new ValidationResult("Username and Password go together", [nameof(Username)]);
        }
    }
}
