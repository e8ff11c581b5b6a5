using Microsoft.Extensions.Logging;
using Wharf.Core.Metadata;

namespace Wharf.Core.Policies;

/// <summary>A tag retention removes (or would remove, in a dry run): <paramref name="Deleted"/> is false in a dry run or when the tag moved meanwhile.</summary>
public sealed record RetentionCandidate(string Repository, string Tag, string Digest, DateTimeOffset PushedAt, string Rule, bool Deleted);

/// <summary>What one retention run did: every tag it selected, in repository and tag order.</summary>
public sealed record RetentionReport(bool DryRun, DateTimeOffset At, IReadOnlyList<RetentionCandidate> Tags);

/// <summary>
/// Applies the retention rules: a tag goes when at least one rule covering its repository selects it and no rule covering
/// the repository protects it, and it is not immutable. Only tags are removed, each with the store's conditional delete
/// (a tag pushed again since it was read stays); garbage collection reclaims what they pointed to.
/// </summary>
public sealed partial class RetentionService(
    IReadOnlyList<RetentionRule> rules,
    ImmutableTagPolicy immutable,
    IRepositoryReader repositories,
    IRetentionReader tags,
    IManifestWriter writer,
    TimeProvider time,
    ILogger<RetentionService> logger,
    ICachedTags? cached = null)
{
    private const int PageSize = 1000;

    private static readonly Events.EventOrigin RetentionOrigin = new("retention", null, null, null, null, null, null);

    public IReadOnlyList<RetentionRule> Rules => rules;

    /// <summary>Runs every rule over every repository; with <paramref name="dryRun"/> nothing is deleted and the report lists what would go.</summary>
    public async ValueTask<RetentionReport> RunAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var report = new List<RetentionCandidate>();
        if (rules.Count == 0)
        {
            return new RetentionReport(dryRun, now, report);
        }

        // Its tag deletions' events name retention as the actor (and the request that asked for the run, if any).
        var trigger = Events.EventOrigin.Current;
        using var origin = Events.EventOrigin.Use(() => (trigger ?? RetentionOrigin) with { Actor = "retention" });

        string? last = null;
        while (true)
        {
            var page = await repositories.ListAsync(last, PageSize, cancellationToken);
            foreach (var repository in page.Items)
            {
                var covering = rules.Where(r => r.Repositories(repository)).ToList();
                if (covering.Count > 0)
                {
                    await ApplyAsync(repository, covering, now, dryRun, report, cancellationToken);
                }
            }

            if (!page.HasMore || page.Items.Count == 0)
            {
                break;
            }

            last = page.Items[^1];
        }

        if (cached is not null)
        {
            // The pull-through cache's tags live in storage; the rules treat them like any others (a "push" is a pull there).
            await foreach (var repository in cached.ListRepositoriesAsync(cancellationToken))
            {
                var covering = rules.Where(r => r.Repositories(repository)).ToList();
                if (covering.Count > 0)
                {
                    var listed = await cached.ListTagsAsync(repository, cancellationToken);
                    await ApplyAsync(repository, listed, covering, now, dryRun, report, (tag, ct) => cached.DeleteTagIfAsync(repository, tag.Name, tag.Digest, ct), cancellationToken);
                }
            }

            report.Sort((a, b) => string.CompareOrdinal(a.Repository, b.Repository) is var byRepository and not 0 ? byRepository : string.CompareOrdinal(a.Tag, b.Tag));
        }

        LogRun(logger, dryRun, report.Count, report.Count(c => c.Deleted));
        return new RetentionReport(dryRun, now, report);
    }

    /// <summary>The tags of one repository the rules delete, given as they are listed (most recently pushed first).</summary>
    public IEnumerable<(RetentionTag Tag, RetentionRule Rule)> Select(string repository, IReadOnlyList<RetentionTag> listed, IReadOnlyList<RetentionRule> covering, DateTimeOffset now)
    {
        for (var recency = 0; recency < listed.Count; recency++)
        {
            var tag = listed[recency];
            if (immutable.Match(repository, tag.Name) is not null)
            {
                continue;
            }

            var selecting = covering.FirstOrDefault(r => r.Selects(tag.PushedAt, now));
            if (selecting is not null && covering.All(r => r.Protection(tag.Name, recency, tag.LastPulledAt, now) is null))
            {
                yield return (tag, selecting);
            }
        }
    }

    private async ValueTask ApplyAsync(
        string repository, IReadOnlyList<RetentionRule> covering, DateTimeOffset now, bool dryRun, List<RetentionCandidate> report, CancellationToken cancellationToken)
    {
        var listed = await tags.ListTagsAsync(repository, cancellationToken);
        await ApplyAsync(repository, listed, covering, now, dryRun, report, async (tag, ct) =>
            await writer.DeleteTagIfAsync(repository, tag.Name, tag.Digest, ct) == ConditionalTagDelete.Deleted, cancellationToken);
    }

    private async ValueTask ApplyAsync(
        string repository, IReadOnlyList<RetentionTag> listed, IReadOnlyList<RetentionRule> covering, DateTimeOffset now, bool dryRun,
        List<RetentionCandidate> report, Func<RetentionTag, CancellationToken, ValueTask<bool>> deleteIf, CancellationToken cancellationToken)
    {
        foreach (var (tag, rule) in Select(repository, listed, covering, now).OrderBy(c => c.Tag.Name, StringComparer.Ordinal).ToList())
        {
            var deleted = false;
            if (!dryRun)
            {
                deleted = await deleteIf(tag, cancellationToken);
                if (deleted)
                {
                    LogDeleted(logger, repository, tag.Name, tag.Digest.Value, rule.Name);
                }
            }

            report.Add(new RetentionCandidate(repository, tag.Name, tag.Digest.Value, tag.PushedAt, rule.Name, deleted));
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Retention deleted tag {Tag} of {Repository} ({Digest}) under {Rule}")]
    private static partial void LogDeleted(ILogger logger, string repository, string tag, string digest, string rule);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Retention run (dry run: {DryRun}) selected {Selected} tags and deleted {Deleted}")]
    private static partial void LogRun(ILogger logger, bool dryRun, int selected, int deleted);
}
