namespace Wharf.Core.Replication;

/// <summary>
/// The durable replication jobs (docs/design/replication.md): claimed with a lease by the workers of every instance,
/// the jobs of one (rule, repository) line in id order, and recorded only by the instance still holding the lease.
/// </summary>
public interface IReplicationJobs
{
    /// <summary>
    /// Leases up to <paramref name="limit"/> due pending jobs of <paramref name="rules"/>, each the head of its (rule,
    /// repository) line (no pending job of the line comes before it), until <paramref name="now"/> + <paramref name="lease"/>.
    /// </summary>
    ValueTask<IReadOnlyList<ReplicationJob>> ClaimAsync(
        IReadOnlyCollection<string> rules, string owner, int limit, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Extends <paramref name="owner"/>'s lease of a job it is copying to <paramref name="until"/>; false when the lease is
    /// no longer its own (it ran out and another instance took the job, or the job was recorded), and the copy must stop.
    /// </summary>
    ValueTask<bool> RenewAsync(long id, string owner, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Marks the job done; false when <paramref name="owner"/> no longer holds its lease (nothing recorded).</summary>
    ValueTask<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Counts a failed attempt: the job is due again at <paramref name="nextAttemptAt"/>, or <c>dead</c> when
    /// <paramref name="dead"/>; false when <paramref name="owner"/> no longer holds its lease.
    /// </summary>
    ValueTask<bool> FailAsync(long id, string owner, string error, bool dead, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Writes a job outside any push (a pull rule's pass, a manual run), due now.</summary>
    ValueTask<long> AddAsync(string rule, string repository, string reference, string digest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a pull rule's job, due now, unless a pending job of <paramref name="rule"/> already copies that
    /// <paramref name="digest"/> to that <paramref name="reference"/> (an earlier pass's, still running or backing off);
    /// whether it wrote one.
    /// </summary>
    ValueTask<bool> AddUnlessPendingAsync(string rule, string repository, string reference, string digest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Takes pull rule <paramref name="rule"/>'s listing pass when it is due at <paramref name="now"/> and no other instance
    /// holds it, leased until <paramref name="now"/> + <paramref name="lease"/>; whether this instance got it. A rule never
    /// listed before is due at once.
    /// </summary>
    ValueTask<bool> ClaimPassAsync(string rule, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends <paramref name="owner"/>'s lease of a pass it is running; false when the lease is no longer its own.</summary>
    ValueTask<bool> RenewPassAsync(string rule, string owner, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Records the pass <paramref name="owner"/> held: finished at <paramref name="now"/>, the next due at <paramref name="next"/>.</summary>
    ValueTask FinishPassAsync(string rule, string owner, DateTimeOffset now, DateTimeOffset next, int jobs, string? error, CancellationToken cancellationToken);

    /// <summary>Makes pull rule <paramref name="rule"/>'s next listing pass due at <paramref name="now"/> (<c>wharf replication run</c>).</summary>
    ValueTask PassDueAsync(string rule, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every pull rule's passes as last recorded, by rule name.</summary>
    ValueTask<IReadOnlyList<ReplicationPass>> PassesAsync(CancellationToken cancellationToken);

    /// <summary>Deletes done jobs created before <paramref name="before"/>; pending and dead ones stay. How many went.</summary>
    ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>For each rule with jobs, how many are in each state and the newest error recorded.</summary>
    ValueTask<IReadOnlyList<ReplicationRuleStatus>> StatusAsync(CancellationToken cancellationToken);

    /// <summary>The jobs, newest first, filtered by state, rule and repository (null: any).</summary>
    ValueTask<IReadOnlyList<ReplicationJob>> ListAsync(string? state, string? rule, int limit, CancellationToken cancellationToken, string? repository = null);
}
