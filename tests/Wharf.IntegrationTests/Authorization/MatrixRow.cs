namespace Wharf.IntegrationTests.Authorization;

/// <summary>What a matrix request is aimed at: a private repository that exists, one that does not, a public one.</summary>
public enum MatrixTarget
{
    Existing,
    Missing,
    Public,

    /// <summary>A private repository that exists and that the robot's scope does not name: its refusals are compared with the missing one's.</summary>
    Foreign,
}

/// <summary>Which credential of a role a request carries (see <see cref="MatrixCredentials"/>).</summary>
public enum MatrixSurface
{
    /// <summary><c>/v2/…</c>: the role's Bearer token (token mode) or Basic login (basic mode).</summary>
    Registry,

    /// <summary><c>/auth/token</c>: the role's login, as Basic credentials (GET) or in the form (POST).</summary>
    TokenService,

    /// <summary><c>/api/…</c>, <c>/v1/…</c> and the UI: the role's web session (token mode) or Basic login (basic mode).</summary>
    Api,
}

/// <summary>The body a matrix request sends.</summary>
public enum MatrixBody
{
    None,
    Manifest,
    Chunk,
    Monolithic,
    Description,
    Login,
    PasswordGrant,
    RefreshGrant,
}

/// <summary>What is put back in place (by the admin) before each request to a repository that exists, so that rows stay independent.</summary>
public enum MatrixPrepare
{
    None,

    /// <summary>Pushes the fixture again (after a repository delete).</summary>
    Seed,

    /// <summary>Pushes the doomed manifest and its tag again.</summary>
    Doomed,

    /// <summary>Pushes the doomed blob again.</summary>
    DoomedBlob,

    /// <summary>Removes the blobs that mounts copy from the private and public repositories, so that only <c>secret/src</c> holds them.</summary>
    UnlinkMountBlobs,

    /// <summary>Starts an upload session; <c>{upload}</c> names it (a made-up id for the missing repository).</summary>
    Upload,
}

/// <summary>
/// One row of the matrix: a request and the status each role gets. A cell is one status for every target, or
/// <c>existing/missing/public</c>. <see cref="Endpoint"/> is the route pattern the row covers.
/// </summary>
public sealed record MatrixRow(string Name, string Method, string Path, string Endpoint, IReadOnlyList<string> Cells)
{
    public MatrixBody Body { get; init; }

    public MatrixPrepare Prepare { get; init; }

    /// <summary>The error code of a 404 that is not a refusal (the thing asked for is not there).</summary>
    public string NotFound { get; init; } = "NAME_UNKNOWN";

    /// <summary>The error code of a 400.</summary>
    public string Invalid { get; init; } = "";

    /// <summary>Whether the answer lists repositories: it must name the existing private one exactly when the role may pull it.</summary>
    public bool Lists { get; init; }

    public MatrixSurface Surface =>
        Path.StartsWith("/v2", StringComparison.Ordinal) ? MatrixSurface.Registry
        : Path.StartsWith("/auth/", StringComparison.Ordinal) ? MatrixSurface.TokenService
        : MatrixSurface.Api;

    /// <summary>Whether the request names a repository (or namespace), and so runs once per target.</summary>
    public bool PerTarget => Path.Contains("{repo}", StringComparison.Ordinal) || Path.Contains("{ns}", StringComparison.Ordinal);

    public IEnumerable<MatrixTarget> Targets => PerTarget ? [MatrixTarget.Existing, MatrixTarget.Missing, MatrixTarget.Public] : [MatrixTarget.Existing];

    /// <summary>The status the table expects of <paramref name="role"/> on <paramref name="target"/>.</summary>
    public int Expected(MatrixRole role, MatrixTarget target)
    {
        var parts = Cells[(int)role].Split('/');
        var part = parts.Length == 1 ? parts[0] : parts[(int)target];
        return int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The spec error code the table's status implies, or null for a success (or a body-less HEAD).</summary>
    public string? ExpectedCode(int status) => status switch
    {
        < 400 => null,
        _ when Method == "HEAD" => null,
        400 => Invalid,
        401 => "UNAUTHORIZED",
        403 => "DENIED",
        404 => NotFound,
        405 or 415 => "UNSUPPORTED",
        429 => "TOOMANYREQUESTS",
        _ => "",
    };
}
