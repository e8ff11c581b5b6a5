using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.Core.Events;

namespace Wharf.Http.Webhooks;

/// <summary>
/// Sends the outbox's events (docs/design/webhooks.md). Each pass claims the heads of due lines with a lease, sends
/// them at once (each line's head is a different endpoint or repository), and records each outcome: done on 2xx;
/// otherwise retried after a jittered backoff, or dead after the endpoint's <c>MaxAttempts</c>. Between passes it
/// waits for this instance's next committed event or the poll interval. Every instance runs one.
/// </summary>
public sealed partial class WebhookDispatcher : BackgroundService
{
    private static readonly TimeSpan CountEvery = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan FlushBudget = TimeSpan.FromSeconds(5);

    private readonly IEventOutbox _outbox;
    private readonly WebhooksOptions _options;
    private readonly Dictionary<string, WebhookEndpointOptions> _endpoints;
    private readonly Dictionary<string, int> _batchSizes;
    private readonly EventSignal _signal;
    private readonly EventSourceInfo _source;
    private readonly HttpMessageInvoker _http;
    private readonly TimeProvider _time;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger<WebhookDispatcher> _logger;
    private DateTimeOffset _nextCount;
    private DateTimeOffset _nextPrune;

    public WebhookDispatcher(
        IEventOutbox outbox, WebhooksOptions options, EventSignal signal, EventSourceInfo source, TimeProvider time,
        WebhookMetrics metrics, ILogger<WebhookDispatcher> logger, HttpMessageHandler? handler = null)
    {
        _outbox = outbox;
        _options = options;
        _endpoints = options.Endpoints.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _batchSizes = options.Endpoints.ToDictionary(e => e.Name, e => e.EventsPerRequest, StringComparer.Ordinal);
        _signal = signal;
        _source = source;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        // A redirect is a failure to deliver, not a reason to POST somewhere else (or to turn the POST into a GET).
        _http = new HttpMessageInvoker(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    }

    /// <summary>The owner name this instance's leases carry.</summary>
    public string Owner => _source.InstanceId;

    /// <summary>One pass: claims what is due now, sends it, records the outcomes; how many deliveries it attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await _outbox.ClaimLinesAsync(_batchSizes, Owner, _options.Concurrency, _time.GetUtcNow(), _options.Lease, cancellationToken);
        if (claimed.Count > 0)
        {
            await Task.WhenAll(Lines(claimed).Select(DeliverAsync));
        }

        return claimed.Count;
    }

    /// <remarks>
    /// Deliveries run on their own, up to <see cref="WebhooksOptions.Concurrency"/> at once: an endpoint that hangs holds up
    /// only its own lines (its deliveries stay leased, so nothing claims them twice). The loop claims at once when it is
    /// idle and a change commits, when a delivery that filled its batch ends (a backlog drains at the receivers' pace),
    /// and at the poll interval. While it is busy (a delivery in flight or a claim due), a commit or the end of a
    /// delivery that did not fill its batch only makes sure a claim comes within <see cref="WebhooksOptions.BatchDelay"/>:
    /// under a burst of pushes, a line's events then go out together instead of one or two per request, and a claim
    /// behind a head still in flight (which finds nothing) is not made for every commit.
    /// </remarks>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var inFlight = new Dictionary<Task, bool>(); // each delivery, and whether it filled its line's batch
        DateTimeOffset? claimAt = null;
        var claimNow = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = _signal.Next;
            try
            {
                var free = _options.Concurrency - inFlight.Count;
                if (claimNow)
                {
                    claimAt = null; // with no slot free, the next delivery to end claims
                }

                if (claimNow && free > 0)
                {
                    var claimed = await _outbox.ClaimLinesAsync(_batchSizes, Owner, free, _time.GetUtcNow(), _options.Lease, stoppingToken);
                    foreach (var line in Lines(claimed))
                    {
                        inFlight.Add(DeliverAsync(line), line.Count >= _batchSizes.GetValueOrDefault(line[0].Endpoint, 1));
                    }
                }

                await HousekeepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogPassFailed(_logger, e);
            }

            var woken = false;
            try
            {
                var wait = claimAt is { } at ? TimeSpan.FromTicks(Math.Clamp((at - _time.GetUtcNow()).Ticks, 0, _options.PollInterval.Ticks)) : _options.PollInterval;

                // With a claim already due, a commit changes nothing (that claim will see it): the loop does not wait
                // for commits then, so a burst of pushes wakes it once per batch instead of once per commit.
                Task[] wakers = claimAt is null ? [.. inFlight.Keys, wake] : [.. inFlight.Keys];
                if (wakers.Length == 0)
                {
                    await Task.Delay(wait, _time, stoppingToken);
                }
                else
                {
                    await Task.WhenAny(wakers).WaitAsync(wait, _time, stoppingToken);
                    woken = true;
                }
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            var busy = inFlight.Count > 0 || claimAt is not null;
            claimNow = !woken; // the poll interval, or a claim that came due
            var soon = wake.IsCompleted && busy;
            claimNow |= wake.IsCompleted && !busy;
            foreach (var ended in inFlight.Keys.Where(t => t.IsCompleted).ToList())
            {
                var full = inFlight[ended];
                inFlight.Remove(ended);
                if (ended.Exception is { } failure)
                {
                    LogPassFailed(_logger, failure);
                }

                claimNow |= full;
                soon |= !full;
            }

            if (soon && !claimNow)
            {
                var due = _time.GetUtcNow() + _options.BatchDelay;
                claimAt = claimAt is { } at && at < due ? at : due;
                claimNow = _options.BatchDelay <= TimeSpan.Zero;
            }
        }

        try
        {
            // Sends in flight finish (each within its endpoint's timeout) and are recorded before the last flush.
            await Task.WhenAll(inFlight.Keys);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogPassFailed(_logger, e);
        }

        await FlushAsync();
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    /// <summary>At shutdown, after the requests have drained: sends what their last changes wrote, within a short budget (the rest waits in the outbox).</summary>
    private async Task FlushAsync()
    {
        using var budget = new CancellationTokenSource(FlushBudget, _time);
        try
        {
            while (await RunOnceAsync(budget.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Data.Common.DbException or ObjectDisposedException)
        {
            // Whatever is left stays pending (or leased, and sent again after its lease) for the next start or another
            // instance. Disposed: the host failed to start (its port taken) and closed the store before this ran.
        }
    }

    /// <summary>Counts the outbox for the queue-depth gauge, and prunes delivered events past their retention; each at most so often.</summary>
    public async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (now >= _nextCount)
        {
            var (pending, dead) = await _outbox.CountAsync(cancellationToken);
            _metrics.QueueDepth(pending, dead);
            _nextCount = now + CountEvery;
        }

        if (now >= _nextPrune)
        {
            var pruned = await _outbox.PruneAsync(now - _options.Retention, cancellationToken);
            if (pruned > 0)
            {
                LogPruned(_logger, pruned);
            }

            _nextPrune = now + PruneEvery;
        }
    }

    /// <summary>The claimed deliveries grouped by line (endpoint and repository), each in order: one request per line.</summary>
    private static IEnumerable<IReadOnlyList<PendingDelivery>> Lines(IReadOnlyList<PendingDelivery> claimed) =>
        claimed.GroupBy(d => (d.Endpoint, d.Event.Repository)).Select(g => (IReadOnlyList<PendingDelivery>)g.ToList());

    /// <summary>
    /// Sends one line's claimed events in one request and records the outcome: all done on 2xx; otherwise the first
    /// event's attempt is counted (retried after a backoff, or dead) and the rest are given back, uncounted, behind it.
    /// </summary>
    private async Task DeliverAsync(IReadOnlyList<PendingDelivery> line)
    {
        var head = line[0];
        if (!_endpoints.TryGetValue(head.Endpoint, out var endpoint))
        {
            return;
        }

        var (status, error) = await SendAsync(line, endpoint);
        var now = _time.GetUtcNow();
        var attempts = head.Attempts + 1;
        DeliveryOutcome first;
        DeliveryOutcome rest;
        if (error is null)
        {
            first = rest = new DeliveryOutcome(DeliveryStates.Done, now, status, null);
            _metrics.Delivery(endpoint.Name, "success", line.Count);
        }
        else
        {
            rest = new DeliveryOutcome(DeliveryStates.Pending, now, null, null, Attempted: false);
            if (attempts >= endpoint.MaxAttempts)
            {
                first = new DeliveryOutcome(DeliveryStates.Dead, now, status, error);
                _metrics.Delivery(endpoint.Name, "dead", 1);
                LogDead(_logger, head.Event.Id, endpoint.Name, attempts, error);
            }
            else
            {
                var retryAt = now + DeliveryBackoff.Delay(attempts, _options.MinBackoff, _options.MaxBackoff, Random.Shared);
                first = new DeliveryOutcome(DeliveryStates.Pending, retryAt, status, error);
                _metrics.Delivery(endpoint.Name, "failure", 1);
                LogRetry(_logger, head.Event.Id, endpoint.Name, attempts, error, retryAt);
            }
        }

        try
        {
            // Not the stopping token: an answer received is recorded even during shutdown.
            var outcomes = line.Select((d, i) => (d, i == 0 ? first : rest)).ToList();
            if (await _outbox.RecordAllAsync(outcomes, Owner, CancellationToken.None) < line.Count)
            {
                LogLeaseLost(_logger, head.Event.Id, endpoint.Name);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The lease runs out and the deliveries are sent again: at least once.
            LogRecordFailed(_logger, e, head.Event.Id, endpoint.Name);
        }
    }

    /// <summary>POSTs the line's events; the status, and an error unless the endpoint answered 2xx.</summary>
    private async Task<(int? Status, string? Error)> SendAsync(IReadOnlyList<PendingDelivery> line, WebhookEndpointOptions endpoint)
    {
        var (body, contentType) = WebhookEnvelope.Render(line.Select(d => d.Event).ToList(), endpoint.Format, _source);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.UserAgent.ParseAdd("Wharf-Webhooks/1");
        request.Headers.TryAddWithoutValidation("Wharf-Event-Id", string.Join(',', line.Select(d => d.Event.Id)));
        foreach (var (name, value) in endpoint.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (endpoint.Secret is { Length: > 0 } secret)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Create(secret, _time.GetUtcNow(), body));
        }

        using var timeout = new CancellationTokenSource(endpoint.Timeout, _time);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            return (status, response.IsSuccessStatusCode ? null : $"HTTP {status}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (null, $"no answer within {endpoint.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message);
        }
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message = "A webhook dispatch pass failed; the outbox keeps every event and the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Webhook event {EventId} to {Endpoint} failed (attempt {Attempts}: {Error}); next attempt at {RetryAt:o}")]
    private static partial void LogRetry(ILogger logger, Guid eventId, string endpoint, int attempts, string error, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "Webhook event {EventId} to {Endpoint} is dead after {Attempts} attempts (last: {Error}); replay it with `wharf events replay`")]
    private static partial void LogDead(ILogger logger, Guid eventId, string endpoint, int attempts, string error);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "Webhook event {EventId} to {Endpoint}: its lease ran out before the answer was recorded; another instance sends it again")]
    private static partial void LogLeaseLost(ILogger logger, Guid eventId, string endpoint);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Warning, Message = "Webhook event {EventId} to {Endpoint}: the outcome could not be recorded; it is sent again after its lease")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, Guid eventId, string endpoint);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Debug, Message = "Pruned {Count} delivered webhook events")]
    private static partial void LogPruned(ILogger logger, int count);
}
