using System.ComponentModel.DataAnnotations;
using Wharf.Auth;
using Wharf.Core.Policies;

namespace Wharf.Http.Replication;

/// <summary>The <c>Replication</c> section (docs/design/replication.md): the other registries, the rules, and how jobs are worked.</summary>
public sealed class ReplicationOptions : IValidatableObject
{
    public List<ReplicationRegistryOptions> Registries { get; init; } = [];

    public List<ReplicationRuleOptions> Rules { get; init; } = [];

    /// <summary>
    /// Whether this instance copies. Every instance writes the jobs of its pushes; with several, any may copy, and an
    /// operator may leave copying to some of them only.
    /// </summary>
    public bool Run { get; set; } = true;

    /// <summary>How often each instance looks for due jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claimed job is an instance's alone; after it another instance may copy it again (copies are idempotent).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Done jobs are removed after this long; pending and dead ones stay.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Jobs each instance copies at once (each of a different rule or repository).</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 4;

    /// <summary>The first retry's ceiling; each later one doubles, up to <see cref="MaxBackoff"/> (jittered below the ceiling).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Attempts before a job goes dead.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 20;

    /// <summary>How many times the client sends one idempotent request within an attempt before the attempt fails.</summary>
    [Range(1, 10)]
    public int RequestAttempts { get; set; } = 3;

    /// <summary>Whether any rule is configured: without one, nothing of replication runs or costs anything.</summary>
    public bool Enabled => Rules.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var registries = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Registries.Count; i++)
        {
            foreach (var result in Nested(Registries[i], Registries[i].Check(), $"Registries:{i}"))
            {
                yield return result;
            }

            if (Registries[i].Name is { Length: > 0 } name && !registries.Add(name))
            {
                yield return new ValidationResult($"Registries:{i}: the name '{name}' is used by another registry", [$"Registries:{i}:Name"]);
            }
        }

        var rules = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            foreach (var result in Nested(rule, rule.Check(), $"Rules:{i}"))
            {
                yield return result;
            }

            if (rule.Name is { Length: > 0 } name && !rules.Add(name))
            {
                yield return new ValidationResult($"Rules:{i}: the name '{name}' is used by another rule", [$"Rules:{i}:Name"]);
            }

            if (rule.Registry is { Length: > 0 } registry && !registries.Contains(registry))
            {
                yield return new ValidationResult($"Rules:{i}: Registry '{registry}' is not one of Registries", [$"Rules:{i}:Registry"]);
            }
        }

        if (MaxBackoff < MinBackoff)
        {
            yield return new ValidationResult("MaxBackoff must not be shorter than MinBackoff", [nameof(MaxBackoff)]);
        }
    }

    private static IEnumerable<ValidationResult> Nested(object item, IEnumerable<ValidationResult> own, string prefix)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(item, new ValidationContext(item), results, validateAllProperties: true);
        return results.Concat(own).Select(r => new ValidationResult($"{prefix}: {r.ErrorMessage}", r.MemberNames.Select(m => $"{prefix}:{m}").ToArray()));
    }
}

/// <summary>Another registry replication copies to or from.</summary>
public sealed class ReplicationRegistryOptions
{
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9._-]{0,63}$", ErrorMessage = "Name must be 1-64 lower-case letters, digits, '.', '_' or '-'")]
    public string Name { get; set; } = "";

    [Required]
    public Uri? Url { get; set; }

    /// <summary>Basic credentials (sent on a Basic challenge, or to the registry's token service); none means anonymous.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

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

/// <summary>The directions a rule copies in.</summary>
public static class ReplicationDirections
{
    /// <summary>Every matching push to Wharf is copied to the rule's registry.</summary>
    public const string Push = "push";

    /// <summary>Every <c>Interval</c>, what is new or moved at the rule's registry is copied into Wharf.</summary>
    public const string Pull = "pull";
}

/// <summary>One replication rule: which repositories and tags go where.</summary>
public sealed class ReplicationRuleOptions
{
    /// <summary>Names the rule's jobs in <c>wharf replication</c> and <c>/api/replication</c>; keep it when the rule changes.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9._-]{0,63}$", ErrorMessage = "Name must be 1-64 lower-case letters, digits, '.', '_' or '-'")]
    public string Name { get; set; } = "";

    /// <summary><c>push</c> (every matching push to Wharf is copied out) or <c>pull</c> (every <see cref="Interval"/>, what is new at the registry is copied in).</summary>
    public string Direction { get; set; } = ReplicationDirections.Push;

    /// <summary>The name of one of <c>Replication:Registries</c>.</summary>
    [Required]
    public string Registry { get; set; } = "";

    /// <summary>Repository patterns (<c>*</c> within a segment, <c>**</c> across); at least one.</summary>
    public List<string> Repositories { get; init; } = [];

    /// <summary>
    /// A pull rule's time between listing passes. Its names without a wildcard are listed as written; a pattern with one
    /// needs the registry's catalog (<c>/v2/_catalog</c>), which Docker Hub and GHCR do not offer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "30.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Tag patterns (<c>*</c> any characters, <c>?</c> one); none means every tag.</summary>
    public List<string> Tags { get; init; } = [];

    /// <summary>Whether referrers (signatures, SBOMs) go along.</summary>
    public bool Referrers { get; set; } = true;

    internal IEnumerable<ValidationResult> Check()
    {
        if (Direction is not (ReplicationDirections.Push or ReplicationDirections.Pull))
        {
            yield return new ValidationResult($"Direction must be '{ReplicationDirections.Push}' or '{ReplicationDirections.Pull}'", [nameof(Direction)]);
        }

        if (Repositories.Count == 0)
        {
            yield return new ValidationResult("Repositories needs at least one pattern ('**' for every repository)", [nameof(Repositories)]);
        }

        foreach (var pattern in Repositories.Where(p => !RepositoryPattern.TryCreate(p, out _)))
        {
            yield return new ValidationResult($"Repositories: '{pattern}' is not a repository pattern (lower-case names, '/', '*' and '**')", [nameof(Repositories)]);
        }

        foreach (var pattern in Tags.Where(p => !TagPattern.TryCreate(p, out _)))
        {
            yield return new ValidationResult($"Tags: '{pattern}' is not a tag pattern (letters, digits, '_', '.', '-', '*' and '?')", [nameof(Tags)]);
        }
    }
}
