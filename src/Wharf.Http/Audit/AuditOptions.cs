using System.ComponentModel.DataAnnotations;
using Wharf.Core.Policies;

namespace Wharf.Http.Audit;

/// <summary>Config section <c>Audit</c>: how long events are kept and how often older ones are pruned.</summary>
public sealed class AuditOptions : IValidatableObject
{
    /// <summary>Events older than this are removed (a duration: <c>90d</c>, <c>26w</c>, <c>12h</c>).</summary>
    public string Retention { get; set; } = "90d";

    /// <summary>How often the server prunes (the first prune one interval after start).</summary>
    public string PruneInterval { get; set; } = "1h";

    public TimeSpan RetentionPeriod => PolicyText.TryParseDuration(Retention, out var period) ? period : TimeSpan.FromDays(90);

    public TimeSpan PrunePeriod => PolicyText.TryParseDuration(PruneInterval, out var period) ? period : TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!PolicyText.TryParseDuration(Retention, out var retention) || retention < TimeSpan.FromHours(1))
        {
            yield return new ValidationResult($"Audit:Retention '{Retention}' must be a duration of at least 1h (e.g. 90d, 26w)");
        }

        if (!PolicyText.TryParseDuration(PruneInterval, out var interval) || interval < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"Audit:PruneInterval '{PruneInterval}' must be a duration of at least 1m (e.g. 1h)");
        }
    }
}
