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
