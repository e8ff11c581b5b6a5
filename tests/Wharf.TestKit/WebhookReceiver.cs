using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wharf.TestKit;

/// <summary>One request a <see cref="WebhookReceiver"/> took.</summary>
public sealed record ReceivedWebhook(string Path, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Answered);

/// <summary>
/// A real HTTP receiver of webhook events on 127.0.0.1 (its own Kestrel, port 0). It records every request and answers
/// <see cref="Status"/>; while <see cref="Down"/> it drops each connection without answering, as a receiver that is not there.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly List<(Func<IReadOnlyCollection<ReceivedWebhook>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly Lock _gate = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The address to configure as the endpoint's URL (path <c>/events</c>).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The status answered to each delivery (200 unless a test says otherwise).</summary>
    public int Status { get; set; } = 200;

    /// <summary>When set, chooses the status of each delivery from its body (instead of <see cref="Status"/>).</summary>
    public Func<byte[], int>? Answer { get; set; }

    /// <summary>While true, connections are dropped without an answer (nothing recorded).</summary>
    public bool Down { get; set; }

    /// <summary>Every request answered so far, in arrival order.</summary>
    public IReadOnlyCollection<ReceivedWebhook> Received => _received.ToArray();

    /// <summary>The requests answered with a 2xx.</summary>
    public IReadOnlyList<ReceivedWebhook> Accepted => _received.Where(r => r.Answered is >= 200 and < 300).ToList();

    public static async Task<WebhookReceiver> StartAsync(string listen = "127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://" + listen);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/events");
        return receiver;
    }

    /// <summary>Completes once <paramref name="condition"/> holds for the requests received (checked at each arrival), or throws after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<IReadOnlyCollection<ReceivedWebhook>, bool> condition, TimeSpan timeout, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(Received))
            {
                return;
            }

            _waiters.Add((condition, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The receiver did not get {what} within {timeout.TotalSeconds} s; it got {Received.Count} request(s)");
        }
    }

    /// <summary>Waits until <paramref name="count"/> deliveries were accepted.</summary>
    public Task WaitForAcceptedAsync(int count, TimeSpan timeout) =>
        WaitForAsync(all => all.Count(r => r.Answered is >= 200 and < 300) >= count, timeout, $"{count} accepted deliveries");

    /// <summary>Waits until <paramref name="count"/> events were accepted, however they were batched (each request names its events in <c>Wharf-Event-Id</c>).</summary>
    public Task WaitForAcceptedEventsAsync(int count, TimeSpan timeout) =>
        WaitForAsync(all => all.Where(r => r.Answered is >= 200 and < 300).Sum(EventCount) >= count, timeout, $"{count} accepted events");

    private static int EventCount(ReceivedWebhook request) =>
        request.Headers.TryGetValue("Wharf-Event-Id", out var ids) ? ids.Split(',').Length : 0;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Down)
        {
            context.Abort();
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var status = Answer?.Invoke(body.ToArray()) ?? Status;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(new ReceivedWebhook(context.Request.Path, context.Request.ContentType, headers, body.ToArray(), status));
        context.Response.StatusCode = status;
        lock (_gate)
        {
            var all = Received;
            foreach (var waiter in _waiters.Where(w => w.Condition(all)).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
