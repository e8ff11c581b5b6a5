using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.Client;
using Wharf.Core.Replication;
using Wharf.Core.Services;
using Wharf.Http.Webhooks;

namespace Wharf.Http.Replication;

/// <summary>
/// Works the replication jobs (docs/design/replication.md). Each pass claims the due head of each (rule, repository)
/// line with a lease, copies each job's image with <see cref="ImageCopier"/> (the source read in process through
/// <see cref="LocalRegistryHandler"/>, the target through its own client), and records the outcome while it still holds
/// the lease: done; or, after a failure, due again after a jittered exponential backoff, or dead after <c>MaxAttempts</c>.
/// Every instance runs one; between passes it waits <c>PollInterval</c>.
/// </summary>
public sealed partial class ReplicationWorker : BackgroundService
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private readonly IReplicationJobs _jobs;
    private readonly ReplicationOptions _options;
    private readonly Dictionary<string, ReplicationRuleOptions> _rules;
    private readonly RegistryClient _local;
    private readonly Dictionary<string, RegistryClient> _registries;
    private readonly ReplicationPullPass _pullPass;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplicationWorker> _logger;
    private DateTimeOffset _nextPrune;

    public ReplicationWorker(
        IReplicationJobs jobs, ReplicationOptions options, ManifestService manifests, BlobService blobs, UploadService uploads, TimeProvider time,
        ILogger<ReplicationWorker> logger)
    {
        _jobs = jobs;
        _options = options;
        _rules = options.Rules.ToDictionary(r => r.Name, StringComparer.Ordinal);
        // This registry, in process: the source of push rules, the target of pull rules. Its uploads take a blob in one
        // streamed PUT (no chunk size is ever reached).
        _local = new RegistryClient(
            new RegistryClientOptions { BaseAddress = LocalRegistryHandler.BaseAddress, ChunkSize = long.MaxValue },
            new LocalRegistryHandler(manifests, blobs, uploads));
        _pullPass = new ReplicationPullPass(jobs, manifests, time);
        // The client's own retries wait on the real clock: they are short, and a test's fake clock would never let them end.
        _registries = options.Registries.ToDictionary(r => r.Name, r => new RegistryClient(new RegistryClientOptions
        {
            BaseAddress = r.Url!,
            Username = r.Username,
            Password = r.Password,
            MaxAttempts = options.RequestAttempts,
        }), StringComparer.Ordinal);
        _time = time;
        _logger = logger;
    }

    /// <summary>The owner name this instance's leases carry.</summary>
    public string Owner { get; } = Guid.NewGuid().ToString();

    /// <summary>
    /// One pass: claims what is due now, copies it, records the outcomes; how many jobs it attempted. Every
    /// <see cref="PruneEvery"/> it first removes the done jobs older than <c>Retention</c>.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (now >= _nextPrune)
        {
            _nextPrune = now + PruneEvery;
            await _jobs.PruneAsync(now - _options.Retention, cancellationToken);
        }

        foreach (var rule in _rules.Values.Where(r => r.Direction == ReplicationDirections.Pull))
        {
            await PullPassAsync(rule, now, cancellationToken);
        }

        var claimed = await _jobs.ClaimAsync(_rules.Keys, Owner, _options.Concurrency, now, _options.Lease, cancellationToken);
        await Task.WhenAll(claimed.Select(job => RunAsync(job, cancellationToken)));
        return claimed.Count;
    }

    private async Task RunAsync(ReplicationJob job, CancellationToken cancellationToken)
    {
        var rule = _rules[job.Rule];
        using var copy = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lease = KeepLeaseAsync($"job {job.Id}", (until, ct) => _jobs.RenewAsync(job.Id, Owner, until, ct), copy);
        string? error = null;
        var permanent = false;
        var copied = false;
        try
        {
            await CopyAsync(job, rule, copy.Token);
            copied = true;
        }
        catch (Exception) when (copy.IsCancellationRequested)
        {
            // Shutting down, or the lease was lost: the job is copied again by whoever holds it next (the copy is idempotent).
        }
        catch (KeyNotFoundException e)
        {
            error = e.Message; // the image is gone from this registry: no retry brings it back
            permanent = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e.Message; // unreachable, refused (credentials, quota), or a bad answer: all may pass, so each is retried
        }

        await copy.CancelAsync(); // ends the renewals
        if (await lease)
        {
            LogLeaseLost(job.Id, job.Rule, job.Repository, job.Reference);
            return;
        }

        if (copied)
        {
            if (await _jobs.CompleteAsync(job.Id, Owner, CancellationToken.None))
            {
                LogCopied(job.Id, job.Rule, job.Repository, job.Reference, job.Digest, rule.Registry);
            }

            return;
        }

        if (error is null)
        {
            return;
        }

        var dead = permanent || job.Attempts + 1 >= _options.MaxAttempts;
        var next = _time.GetUtcNow() + DeliveryBackoff.Delay(job.Attempts + 1, _options.MinBackoff, _options.MaxBackoff, Random.Shared);
        await _jobs.FailAsync(job.Id, Owner, error, dead, next, CancellationToken.None);
        LogFailed(job.Id, job.Rule, job.Repository, job.Reference, job.Attempts + 1, dead, error);
    }

    /// <summary>
    /// Renews a lease (a job's while it is copied, a pull rule's pass while it lists) every third of <c>Lease</c>, so that
    /// no other instance takes work still under way however long it lasts; a renewal that finds the lease taken cancels
    /// <paramref name="work"/>. Ends when <paramref name="work"/> is cancelled; whether the lease was lost.
    /// </summary>
    private async Task<bool> KeepLeaseAsync(string what, Func<DateTimeOffset, CancellationToken, ValueTask<bool>> renew, CancellationTokenSource work)
    {
        var every = _options.Lease / 3;
        var next = Task.Delay(every, _time, work.Token);
        while (true)
        {
            bool renewed;
            try
            {
                await next;
                // The next renewal is counted from this one's start, and set before its write: once the renewed lease can
                // be seen, the clock that brings the next one is already running (a test's fake clock moved on the row).
                next = Task.Delay(every, _time, work.Token);
                renewed = await renew(_time.GetUtcNow() + _options.Lease, work.Token);
            }
            catch (OperationCanceledException) when (work.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogRenewalFailed(what, e); // the database unreachable for a moment: the lease still runs for two thirds of Lease
                continue;
            }

            if (!renewed)
            {
                await work.CancelAsync();
                return true;
            }
        }
    }

    /// <summary>
    /// A pull rule's listing pass, when it is due and no other instance holds it: jobs for what is new or moved at the
    /// source, then the next pass <c>Interval</c> later (also after a failure, which the pass records).
    /// </summary>
    private async Task PullPassAsync(ReplicationRuleOptions rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!await _jobs.ClaimPassAsync(rule.Name, Owner, now, _options.Lease, cancellationToken))
        {
            return;
        }

        var written = 0;
        string? error = null;
        using var listing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lease = KeepLeaseAsync($"the pass of pull rule {rule.Name}", (until, ct) => _jobs.RenewPassAsync(rule.Name, Owner, until, ct), listing);
        try
        {
            written = await _pullPass.RunAsync(rule, _registries[rule.Registry], listing.Token);
            LogListed(rule.Name, rule.Registry, written);
        }
        catch (Exception) when (listing.IsCancellationRequested)
        {
            // Shutting down, or the pass's lease was lost: whoever holds it next lists again (the jobs it wrote stay).
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e.Message;
            LogListingFailed(rule.Name, rule.Registry, error);
        }

        await listing.CancelAsync(); // ends the renewals
        if (await lease || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var finished = _time.GetUtcNow();
        await _jobs.FinishPassAsync(rule.Name, Owner, finished, finished + rule.Interval, written, error, CancellationToken.None);
    }

    /// <summary>
    /// The digest the job recorded, with everything it refers to (and its referrers, if the rule says so), then the tag
    /// pointed at it: a tag that moved since the job was written is the next job's, not this one's. A push rule copies
    /// from this registry to the rule's; a pull rule, from the rule's registry into this one.
    /// </summary>
    private async Task CopyAsync(ReplicationJob job, ReplicationRuleOptions rule, CancellationToken cancellationToken)
    {
        var (source, target) = rule.Direction == ReplicationDirections.Pull ? (_registries[rule.Registry], _local) : (_local, _registries[rule.Registry]);
        var copier = new ImageCopier(source, target);
        await copier.CopyAsync(job.Repository, job.Digest, job.Repository, rule.Referrers, cancellationToken);
        if (job.Reference != job.Digest)
        {
            var manifest = await source.GetManifestAsync(job.Repository, job.Digest, cancellationToken: cancellationToken)
                ?? throw new KeyNotFoundException($"{job.Repository}@{job.Digest} is no longer in {source.BaseAddress}");
            await target.PutManifestAsync(job.Repository, job.Reference, manifest.MediaType, manifest.Bytes, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One failed pass (the database unreachable, say) must not stop the worker.
                LogPassFailed(e);
            }

            try
            {
                await Task.Delay(_options.PollInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _local.Dispose();
        foreach (var target in _registries.Values)
        {
            target.Dispose();
        }

        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replication job {Id} ({Rule}) copied {Repository}:{Reference} ({Digest}) to {Registry}")]
    private partial void LogCopied(long id, string rule, string repository, string reference, string digest, string registry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication job {Id} ({Rule}) of {Repository}:{Reference} failed (attempt {Attempts}, dead: {Dead}): {Error}")]
    private partial void LogFailed(long id, string rule, string repository, string reference, int attempts, bool dead, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication job {Id} ({Rule}) of {Repository}:{Reference} lost its lease while copying; the copy stopped and the job is left to its new holder")]
    private partial void LogLeaseLost(long id, string rule, string repository, string reference);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication: renewing the lease of {What} failed; the next renewal tries again")]
    private partial void LogRenewalFailed(string what, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull rule {Rule} listed {Registry}: {Jobs} new jobs")]
    private partial void LogListed(string rule, string registry, int jobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull rule {Rule} could not list {Registry}; the next pass tries again: {Error}")]
    private partial void LogListingFailed(string rule, string registry, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A replication pass failed")]
    private partial void LogPassFailed(Exception exception);
}
