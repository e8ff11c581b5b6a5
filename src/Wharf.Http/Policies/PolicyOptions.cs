using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Wharf.Auth;
using Wharf.Core.Policies;

namespace Wharf.Http.Policies;

/// <summary>One rule of <c>Policies:ImmutableTags</c>: tags matching <see cref="Tags"/> in repositories matching <see cref="Repositories"/>.</summary>
public sealed class ImmutableTagRuleOptions
{
    /// <summary>A repository pattern with the access policies' glob semantics (<c>prod/**</c>, <c>*/app</c>).</summary>
    public string Repositories { get; set; } = "";

    /// <summary>A tag pattern: <c>*</c> any characters, <c>?</c> one (<c>v*</c>).</summary>
    public string Tags { get; set; } = "";
}

/// <summary>Config section <c>Policies</c>: immutable tags.</summary>
public sealed class PoliciesOptions : IValidatableObject
{
    public List<ImmutableTagRuleOptions> ImmutableTags { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < ImmutableTags.Count; i++)
        {
            var rule = ImmutableTags[i];
            if (!RepositoryPattern.TryCreate(rule.Repositories, out _))
            {
                yield return new ValidationResult($"Policies:ImmutableTags[{i}]:Repositories '{rule.Repositories}' is not a repository pattern");
            }

            if (!TagPattern.TryCreate(rule.Tags, out _))
            {
                yield return new ValidationResult($"Policies:ImmutableTags[{i}]:Tags '{rule.Tags}' is not a tag pattern (letters, digits, '_', '.', '-', '*', '?')");
            }
        }
    }

    public ImmutableTagPolicy Compile() => new([.. ImmutableTags.Select((r, i) => new ImmutableTagRule(
        $"Policies:ImmutableTags[{i}] (repositories \"{r.Repositories}\", tags \"{r.Tags}\")",
        Repository(r.Repositories),
        TagPattern.TryCreate(r.Tags, out var tags) ? tags : throw new ArgumentException($"invalid tag pattern '{r.Tags}'")))]);

    internal static Func<string, bool> Repository(string text) =>
        RepositoryPattern.TryCreate(text, out var pattern) ? pattern.Matches : throw new ArgumentException($"invalid repository pattern '{text}'");
}

/// <summary>One rule of <c>Retention:Rules</c>; see <see cref="RetentionRule"/> for what each clause does.</summary>
public sealed class RetentionRuleOptions
{
    public string Repositories { get; set; } = "";

    public int? KeepLast { get; set; }

    /// <summary>A regular expression; tags it matches (anywhere, unless anchored) are kept.</summary>
    public string? KeepTags { get; set; }

    /// <summary>A duration: <c>30d</c>, <c>12h</c>, <c>2w</c>.</summary>
    public string? DeleteOlderThan { get; set; }

    public string? KeepPulledWithin { get; set; }
}

/// <summary>Config section <c>Retention</c>: the rules, and how often the server applies them (<c>Interval</c>; unset: never on its own).</summary>
public sealed class RetentionOptions : IValidatableObject
{
    public string? Interval { get; set; }

    public List<RetentionRuleOptions> Rules { get; set; } = [];

    /// <summary>The schedule's period, or null when the server does not run retention by itself.</summary>
    public TimeSpan? Period => PolicyText.TryParseDuration(Interval, out var period) ? period : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval is not null && (!PolicyText.TryParseDuration(Interval, out var period) || period < TimeSpan.FromMinutes(1)))
        {
            yield return new ValidationResult($"Retention:Interval '{Interval}' must be a duration of at least 1m (e.g. 1h, 1d)");
        }

        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            var at = $"Retention:Rules[{i}]";
            if (!RepositoryPattern.TryCreate(rule.Repositories, out _))
            {
                yield return new ValidationResult($"{at}:Repositories '{rule.Repositories}' is not a repository pattern");
            }

            if (rule.KeepLast is < 0)
            {
                yield return new ValidationResult($"{at}:KeepLast must be 0 or more");
            }

            if (rule.KeepTags is not null && !IsRegex(rule.KeepTags))
            {
                yield return new ValidationResult($"{at}:KeepTags '{rule.KeepTags}' is not a regular expression");
            }

            foreach (var (name, value) in new[] { ("DeleteOlderThan", rule.DeleteOlderThan), ("KeepPulledWithin", rule.KeepPulledWithin) })
            {
                if (value is not null && !PolicyText.TryParseDuration(value, out _))
                {
                    yield return new ValidationResult($"{at}:{name} '{value}' is not a duration (e.g. 30d, 12h, 2w)");
                }
            }

            if (rule.DeleteOlderThan is null && rule.KeepLast is null && rule.KeepTags is null && rule.KeepPulledWithin is null)
            {
                yield return new ValidationResult($"{at} has no clause: give KeepLast, KeepTags, DeleteOlderThan or KeepPulledWithin");
            }
        }
    }

    public IReadOnlyList<RetentionRule> Compile() => [.. Rules.Select((r, i) => new RetentionRule(
        $"Retention:Rules[{i}]",
        PoliciesOptions.Repository(r.Repositories),
        r.KeepLast,
        r.KeepTags is null ? null : new Regex(r.KeepTags, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
        Duration(r.DeleteOlderThan),
        Duration(r.KeepPulledWithin)))];

    private static TimeSpan? Duration(string? text) => PolicyText.TryParseDuration(text, out var d) ? d : null;

    private static bool IsRegex(string text)
    {
        try
        {
            _ = new Regex(text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>Config section <c>Quotas</c>: bytes per namespace (<c>Namespaces: { team-a: 10GiB }</c>) and a <c>Default</c> for the others (unset: unlimited).</summary>
public sealed class QuotasOptions : IValidatableObject
{
    public Dictionary<string, string> Namespaces { get; set; } = new(StringComparer.Ordinal);

    public string? Default { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Default is not null && !PolicyText.IsSize(Default))
        {
            yield return new ValidationResult($"Quotas:Default '{Default}' is not a size (e.g. 10GiB, 500MB)");
        }

        foreach (var (name, size) in Namespaces)
        {
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || !Core.Protocol.RepositoryName.IsValid(name))
            {
                yield return new ValidationResult($"Quotas:Namespaces: '{name}' is not a namespace (the first segment of repository names)");
            }

            if (!PolicyText.IsSize(size))
            {
                yield return new ValidationResult($"Quotas:Namespaces:{name} '{size}' is not a size (e.g. 10GiB, 500MB)");
            }
        }
    }

    public QuotaPolicy Compile() => new(
        Namespaces.ToDictionary(kv => kv.Key, kv => PolicyText.TryParseSize(kv.Value, out var bytes) ? bytes : 0, StringComparer.Ordinal),
        PolicyText.TryParseSize(Default, out var fallback) ? fallback : null);
}
