using System.ComponentModel.DataAnnotations;
using Wharf.Auth;
using Wharf.Core.Events;

namespace Wharf.Http.Webhooks;

/// <summary>The <c>Webhooks</c> section: the endpoints events are sent to, and how the outbox is worked.</summary>
public sealed class WebhooksOptions : IValidatableObject
{
    public List<WebhookEndpointOptions> Endpoints { get; init; } = [];

    /// <summary>
    /// Whether this instance sends events. Every instance writes them; with several, any may send, and an operator may
    /// leave sending to some of them only.
    /// </summary>
    public bool Deliver { get; set; } = true;

    /// <summary>How often each instance looks for due deliveries when nothing woke it (its own writes wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claimed delivery is an instance's alone; after it another instance may send it again. Longer than any endpoint's timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Delivered events are removed after this long; pending and dead ones stay.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Deliveries each instance sends at once (each to a different endpoint or repository).</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 8;

    /// <summary>
    /// While deliveries are under way, how long new events may wait to be claimed together, so that under a burst of
    /// pushes a repository's events go out in one request instead of one or two per request. An event that finds the
    /// dispatcher idle goes out at once; zero claims at every commit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The first retry's ceiling; each later one doubles, up to <see cref="MaxBackoff"/> (full jitter below the ceiling).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether any endpoint is configured: without one, nothing of the outbox runs or costs anything.</summary>
    public bool Enabled => Endpoints.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Endpoints.Count; i++)
        {
            var endpoint = Endpoints[i];
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(endpoint, new ValidationContext(endpoint), results, validateAllProperties: true);
            foreach (var result in results.Concat(endpoint.Check()))
            {
                var index = i;
                yield return new ValidationResult($"Endpoints:{index}: {result.ErrorMessage}", result.MemberNames.Select(m => $"Endpoints:{index}:{m}").ToArray());
            }

            if (endpoint.Name is { Length: > 0 } name && !names.Add(name))
            {
                yield return new ValidationResult($"Endpoints:{i}: the name '{name}' is used by another endpoint", [$"Endpoints:{i}:Name"]);
            }
        }

        if (MaxBackoff < MinBackoff)
        {
            yield return new ValidationResult("MaxBackoff must not be shorter than MinBackoff", [nameof(MaxBackoff)]);
        }
    }
}

/// <summary>One receiver of events.</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>Names the endpoint's deliveries in the outbox, <c>wharf events</c> and <c>/api/events</c>; keep it when the URL changes.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9._-]{0,63}$", ErrorMessage = "Name must be 1-64 lower-case letters, digits, '.', '_' or '-'")]
    public string Name { get; set; } = "";

    [Required]
    public Uri? Url { get; set; }

    /// <summary>Extra request headers (an <c>Authorization</c> the receiver expects, for instance).</summary>
    public Dictionary<string, string> Headers { get; init; } = [];

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The key of the <c>Wharf-Signature</c> HMAC; no signature header without one.</summary>
    public string? Secret { get; set; }

    /// <summary><c>distribution</c> (Distribution's notification envelope) or <c>cloudevents</c> (CloudEvents 1.0 structured JSON).</summary>
    public string Format { get; set; } = WebhookFormats.Distribution;

    /// <summary>Repository patterns (<c>*</c> within a segment, <c>**</c> across); none means every repository.</summary>
    public List<string> Repositories { get; init; } = [];

    /// <summary>Actions (<c>manifest.push</c>, <c>tag.delete</c>…); none means every change (pushes, deletes, mounts), no pulls or refusals.</summary>
    public List<string> Actions { get; init; } = [];

    /// <summary>Manifest media types; none means any. Events without a media type (deletes) always pass this filter.</summary>
    public List<string> MediaTypes { get; init; } = [];

    /// <summary>
    /// At most this many events of one repository in one request (Distribution's envelope carries a list); a backlog
    /// then drains in fewer round trips. CloudEvents endpoints always get one event per request.
    /// </summary>
    [Range(1, 100)]
    public int MaxBatch { get; set; } = 100;

    /// <summary>What <see cref="MaxBatch"/> means for this endpoint's format.</summary>
    internal int EventsPerRequest => Format == WebhookFormats.CloudEvents ? 1 : MaxBatch;

    /// <summary>Attempts before a delivery goes dead (listed and replayed with <c>wharf events</c>).</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 20;

    internal IEnumerable<ValidationResult> Check()
    {
        if (Url is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Url must be an absolute http:// or https:// address", [nameof(Url)]);
        }

        if (Format is not (WebhookFormats.Distribution or WebhookFormats.CloudEvents))
        {
            yield return new ValidationResult($"Format must be '{WebhookFormats.Distribution}' or '{WebhookFormats.CloudEvents}'", [nameof(Format)]);
        }

        foreach (var pattern in Repositories.Where(p => !RepositoryPattern.TryCreate(p, out _)))
        {
            yield return new ValidationResult($"Repositories: '{pattern}' is not a repository pattern (lower-case names, '/', '*' and '**')", [nameof(Repositories)]);
        }

        foreach (var action in Actions.Where(a => !EventActions.All.Contains(a)))
        {
            yield return new ValidationResult($"Actions: '{action}' is not one of {string.Join(", ", EventActions.All)}", [nameof(Actions)]);
        }
    }
}

/// <summary>The envelopes an endpoint may ask for.</summary>
public static class WebhookFormats
{
    public const string Distribution = "distribution";

    public const string CloudEvents = "cloudevents";
}
