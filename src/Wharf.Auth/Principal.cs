using Wharf.Core.Metadata;

namespace Wharf.Auth;

/// <summary>
/// Who is calling. <see cref="Name"/> null is anonymous. A caller who signed in with an access token has
/// <see cref="TokenId"/> and <see cref="Limit"/>: a personal token narrows its user's rights to those scopes;
/// a robot has exactly those scopes.
/// </summary>
public sealed record Principal(string? Name, IReadOnlyList<string> Groups, AccessTokenKind? TokenKind = null, string? TokenId = null, IReadOnlyList<Scope>? Limit = null)
{
    public static Principal Anonymous { get; } = new(null, []);

    public bool IsAnonymous => Name is null;

    public bool IsRobot => TokenKind == AccessTokenKind.Robot;

    /// <summary>The user's session epoch (see <see cref="UserRecord.SessionEpoch"/>); null for anonymous callers and robots.</summary>
    public string? SessionEpoch { get; init; }

    public static Principal ForUser(UserRecord user) => new(user.Name, user.Groups) { SessionEpoch = user.SessionEpoch };

    /// <summary>The principal a stored token stands for; <paramref name="owner"/> is the user of a personal token.</summary>
    public static Principal ForToken(AccessTokenRecord token, UserRecord? owner) => new(
        token.Subject,
        owner?.Groups ?? [],
        token.Kind,
        token.Id,
        Scope.ParseAll(token.Scopes))
    {
        SessionEpoch = owner?.SessionEpoch,
    };
}
