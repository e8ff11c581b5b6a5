namespace Wharf.Core.Replication;

/// <summary>The states of a replication job.</summary>
public static class ReplicationJobStates
{
    public const string Pending = "pending";

    public const string Done = "done";

    public const string Dead = "dead";
}

/// <summary>
/// One replication job: copy <see cref="Digest"/> (what <see cref="Reference"/> was when the job was written) of
/// <see cref="Repository"/> under rule <see cref="Rule"/>. <see cref="LeaseUntil"/> is set while an instance holds the job
/// (it is being copied, or its copier died and the lease has not run out yet).
/// </summary>
public sealed record ReplicationJob(
    long Id, string Rule, string Repository, string Reference, string Digest, string State, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LeaseUntil = null);

/// <summary>A rule's jobs counted by state, and the newest error any of them recorded.</summary>
public sealed record ReplicationRuleStatus(string Rule, long Pending, long Done, long Dead, string? LastError);

/// <summary>
/// A pull rule's listing passes: when the next is due (<see cref="NextPassAt"/>), and when the last finished, how many
/// jobs it wrote and why it failed (null: it listed everything). <see cref="LastPassAt"/> is null before the first;
/// <see cref="LeaseUntil"/> is set while an instance holds a pass.
/// </summary>
public sealed record ReplicationPass(
    string Rule, DateTimeOffset NextPassAt, DateTimeOffset? LastPassAt, int LastJobs, string? LastError, DateTimeOffset? LeaseUntil = null);
