namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// The callers of the authorization matrix, in the order of the table's columns. Rights come from the matrix's
/// policy (<see cref="MatrixFixture.Settings"/>): on <c>secret/**</c>, <c>hollow/**</c> and <c>public/**</c> the reader
/// may pull, the writer pull and push, the deleter pull and delete; everyone may pull <c>public/**</c>.
/// </summary>
public enum MatrixRole
{
    /// <summary>No credentials at all.</summary>
    None,

    /// <summary>Token mode: a token the token service gave without credentials. Basic mode: no credentials, as <see cref="None"/>.</summary>
    Anonymous,

    /// <summary>A signed-in user no rule names.</summary>
    Outsider,

    Reader,
    Writer,
    Deleter,

    /// <summary>A user in <c>Auth:Admins</c>.</summary>
    Admin,

    /// <summary>A robot account scoped to <c>repository:secret/app:pull,push</c>.</summary>
    Robot,

    /// <summary>The admin's credentials, past their lifetime: access token, session, refresh token and personal access token.</summary>
    Expired,

    /// <summary>The admin's tokens signed with the server's own key, but for another service (audience).</summary>
    OtherAudience,

    /// <summary>The writer's personal access token, revoked, and everything issued for it.</summary>
    Revoked,

    /// <summary>A writer whose user was removed: password, personal access token, session and refresh token.</summary>
    Removed,
}

public static class MatrixRoles
{
    public static IReadOnlyList<MatrixRole> All { get; } = Enum.GetValues<MatrixRole>();

    /// <summary>Whether the role presents a token the registry accepts (so a refusal says <c>insufficient_scope</c>).</summary>
    public static bool HoldsValidToken(this MatrixRole role) => role is MatrixRole.Anonymous or MatrixRole.Outsider or MatrixRole.Reader
        or MatrixRole.Writer or MatrixRole.Deleter or MatrixRole.Admin or MatrixRole.Robot;

    /// <summary>
    /// Whether the role's rights on the existing private repository and on the missing ones are the same, so that a refusal
    /// must not tell them apart. Not so for the robot: its scope names the existing repository only, so its refusals for
    /// a missing repository are compared with those for <c>secret/src</c>, which exists and its scope does not name.
    /// </summary>
    public static bool HasTheSameRightsOnExistingAndMissing(this MatrixRole role) => role != MatrixRole.Robot;

    /// <summary>Whether listings shown to the role must name the existing private repository.</summary>
    public static bool PullsPrivate(this MatrixRole role) => role is MatrixRole.Reader or MatrixRole.Writer or MatrixRole.Deleter
        or MatrixRole.Admin or MatrixRole.Robot;
}
