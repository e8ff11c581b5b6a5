namespace Wharf.Core.Audit;

/// <summary>
/// One entry of the audit log: who (<see cref="Actor"/>, of <see cref="ActorKind"/>) did what (<see cref="Action"/>,
/// to <see cref="Repository"/> and <see cref="Target"/>), from where (<see cref="ClientAddress"/>), when, and in which
/// request. <see cref="Id"/> is 0 until stored.
/// </summary>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Actor,
    string ActorKind,
    string? ClientAddress,
    string Action,
    string? Repository = null,
    string? Target = null,
    string? Detail = null,
    string? RequestId = null);

/// <summary>The actions the audit log records.</summary>
public static class AuditActions
{
    public const string ManifestPush = "manifest.push";
    public const string ManifestDelete = "manifest.delete";
    public const string TagDelete = "tag.delete";
    public const string RepositoryDelete = "repository.delete";
    public const string LoginSuccess = "login.success";
    public const string LoginFailure = "login.failure";
    public const string TokenCreate = "token.create";
    public const string TokenRevoke = "token.revoke";
    public const string UserAdd = "user.add";
    public const string UserRemove = "user.remove";
    public const string UserPassword = "user.password";
}

/// <summary>Who an actor is: a user, a robot account, nobody signed in, or the operator at the command line.</summary>
public static class AuditActorKinds
{
    public const string User = "user";
    public const string Robot = "robot";
    public const string Anonymous = "anonymous";
    public const string Cli = "cli";

    /// <summary>The kind of a signed-in name (robots are <c>robot.&lt;name&gt;</c>), or anonymous for null.</summary>
    public static string Of(string? name) =>
        name is null ? Anonymous : name.StartsWith("robot.", StringComparison.Ordinal) ? Robot : User;
}

/// <summary>
/// Filters of an audit query; every one optional. Newest first; <see cref="Before"/> (an event id) continues a page.
/// <see cref="Since"/> is inclusive and <see cref="Until"/> exclusive.
/// </summary>
public sealed record AuditQuery(
    string? Actor = null,
    string? Action = null,
    string? Repository = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    long? Before = null,
    int Limit = 100);
