using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>One answer, as the matrix compares it.</summary>
public sealed record MatrixAnswer(int Status, string? Code, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    /// <summary>A refusal for lack of rights. On a repository that exists, NAME_UNKNOWN can only be the API hiding it.</summary>
    public bool IsRefusal(MatrixSurface surface) => Code is "UNAUTHORIZED" or "DENIED" || (surface == MatrixSurface.Api && Code == "NAME_UNKNOWN");

    public string? Header(string name) => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>
    /// Everything a client could tell apart, with the repository and namespace names replaced. The request id is left
    /// out: it is fresh for every request, so it differs between any two answers and tells nothing.
    /// </summary>
    public string Normalized(string repository, string? ns)
    {
        var text = new StringBuilder().Append(Status).Append('\n');
        var compared = Headers.Where(h => h.Key is not ("Date" or "Content-Length") && !h.Key.Equals("X-Request-Id", StringComparison.OrdinalIgnoreCase));
        foreach (var (name, value) in compared.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(": ").Append(value).Append('\n');
        }

        var normalized = text.Append('\n').Append(Body).ToString().Replace(repository, "{repo}", StringComparison.Ordinal);
        return ns is null ? normalized : normalized.Replace(ns, "{ns}", StringComparison.Ordinal);
    }
}

/// <summary>
/// Sends every cell of a matrix and checks it: the status (and error code, and challenge) the table expects, listings that
/// name the private repository exactly for those who may pull it, and that a refusal for a repository that exists is
/// indistinguishable from the one for a repository that does not. Collects every failure rather than stopping at the first.
/// </summary>
public sealed class MatrixRunner(HttpClient http, Registry admin, IReadOnlyDictionary<MatrixRole, MatrixCredentials> roles, string mode)
{
    private static readonly Lazy<string> UiVersion = new(() => Wharf.Http.Ui.UiAssets.Load(typeof(Wharf.Http.Ui.UiEndpoints).Assembly).Version);

    private readonly List<string> _failures = [];
    private readonly List<string> _observed = [];

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>The answers as table rows, for a reviewer comparing them with the table.</summary>
    public IReadOnlyList<string> Observed => _observed;

    public int Requests { get; private set; }

    /// <summary>The roles whose refusals were compared between an existing and a missing repository at least once.</summary>
    public ISet<MatrixRole> Compared { get; } = new HashSet<MatrixRole>();

    public async Task RunAsync(IReadOnlyList<MatrixRow> rows)
    {
        for (var index = 0; index < rows.Count; index++)
        {
            var row = rows[index];
            var cells = new List<string>();
            foreach (var role in MatrixRoles.All)
            {
                var answers = new Dictionary<MatrixTarget, MatrixAnswer>();
                foreach (var target in row.Targets)
                {
                    var answer = await SendAsync(row, index, role, target);
                    answers[target] = answer;
                    Check(row, index, role, target, answer);
                }

                cells.Add(row.PerTarget ? $"\"{answers[MatrixTarget.Existing].Status}/{answers[MatrixTarget.Missing].Status}/{answers[MatrixTarget.Public].Status}\"" : $"\"{answers[MatrixTarget.Existing].Status}\"");
                if (row.PerTarget && role.HasTheSameRightsOnExistingAndMissing())
                {
                    CheckNonDisclosure(row, index, role, MatrixTarget.Existing, answers[MatrixTarget.Existing], answers[MatrixTarget.Missing]);
                }
                else if (row.PerTarget && !row.Path.Contains("{src}", StringComparison.Ordinal))
                {
                    // The robot may use the existing repository: compare with one that exists and its scope does not name.
                    var foreign = await SendAsync(row, index, role, MatrixTarget.Foreign);
                    CheckNonDisclosure(row, index, role, MatrixTarget.Foreign, foreign, answers[MatrixTarget.Missing]);
                }
            }

            _observed.Add($"{row.Name}: {string.Join(", ", cells)}");
        }
    }

    private void Check(MatrixRow row, int index, MatrixRole role, MatrixTarget target, MatrixAnswer answer)
    {
        var where = $"{row.Name} [{row.Method} {Fill(row.Path, index, target, "{upload}")}] as {role}";
        var expected = row.Expected(role, target);
        if (answer.Status != expected)
        {
            Fail($"{where}: expected {expected}, got {answer.Status} {answer.Code} {Truncate(answer.Body)}");
            return;
        }

        if (row.ExpectedCode(expected) is { Length: > 0 } code && answer.Code != code)
        {
            Fail($"{where}: expected code {code}, got {answer.Code ?? "no error envelope"}: {Truncate(answer.Body)}");
        }

        var challenge = answer.Header("WWW-Authenticate");
        if (expected == 401)
        {
            var problem = (row.Surface, mode) switch
            {
                (MatrixSurface.Api, _) when challenge is not null => $"an API refusal carries a challenge ({challenge}): browsers would pop up their own dialog",
                (MatrixSurface.TokenService, _) when challenge != "Basic realm=\"Wharf\"" => $"the token service's refusal should ask for Basic credentials, got {challenge}",
                (MatrixSurface.Registry, "basic") when challenge != "Basic realm=\"Wharf\"" => $"expected a Basic challenge, got {challenge}",
                (MatrixSurface.Registry, "token") when challenge is null || !challenge.StartsWith("Bearer realm=\"", StringComparison.Ordinal)
                    || !challenge.Contains(",service=\"wharf\"", StringComparison.Ordinal) => $"expected a Bearer challenge naming the service, got {challenge}",
                (MatrixSurface.Registry, "token") when challenge!.Contains("insufficient_scope", StringComparison.Ordinal) != role.HoldsValidToken() =>
                    $"insufficient_scope belongs exactly to valid tokens lacking the scope, got {challenge}",
                _ => null,
            };
            if (problem is not null)
            {
                Fail($"{where}: {problem}");
            }
        }

        if (row.Lists && answer.Status == 200 && answer.Body.Contains(MatrixFixture.Existing, StringComparison.Ordinal) != role.PullsPrivate())
        {
            Fail($"{where}: the listing {(role.PullsPrivate() ? "lacks" : "names")} {MatrixFixture.Existing}: {Truncate(answer.Body)}");
        }
    }

    private void CheckNonDisclosure(MatrixRow row, int index, MatrixRole role, MatrixTarget target, MatrixAnswer existing, MatrixAnswer missing)
    {
        if (!existing.IsRefusal(row.Surface))
        {
            return;
        }

        Compared.Add(role);
        var byNamespace = row.Path.Contains("{ns}", StringComparison.Ordinal);
        var seen = existing.Normalized(MatrixFixture.Repository(target, index), byNamespace ? MatrixFixture.Namespace(target) : null);
        var unseen = missing.Normalized(MatrixFixture.Repository(MatrixTarget.Missing, index), byNamespace ? MatrixFixture.Namespace(MatrixTarget.Missing) : null);
        if (seen != unseen)
        {
            Fail($"{row.Name} as {role}: the refusal tells an existing repository from a missing one:\n--- existing\n{seen}\n--- missing\n{unseen}");
        }
    }

    private async Task<MatrixAnswer> SendAsync(MatrixRow row, int index, MatrixRole role, MatrixTarget target)
    {
        var repository = MatrixFixture.Repository(target, index);
        var upload = await PrepareAsync(row, target, repository);
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), Fill(row.Path, index, target, upload));
        var credentials = roles[role];
        credentials.ApplyTo(request, row.Surface);
        request.Content = await BodyAsync(row.Body, credentials);
        using var response = await http.SendAsync(request);
        Requests++;
        var body = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value))).ToList();
        return new MatrixAnswer((int)response.StatusCode, CodeOf(body), headers, body);
    }

    private async Task<string> PrepareAsync(MatrixRow row, MatrixTarget target, string repository)
    {
        if (target is MatrixTarget.Missing or MatrixTarget.Foreign)
        {
            return Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        }

        switch (row.Prepare)
        {
            case MatrixPrepare.Seed:
                await MatrixFixture.SeedAsync(admin, repository);
                break;
            case MatrixPrepare.Doomed:
                await MatrixFixture.RestoreDoomedAsync(admin, repository);
                break;
            case MatrixPrepare.DoomedBlob:
                await admin.PushBlobAsync(repository, MatrixFixture.DoomedBlob);
                break;
            case MatrixPrepare.UnlinkMountBlobs:
                // Earlier cells mounted them into both: either would let a caller who may pull there mount them.
                foreach (var blob in new[] { MatrixFixture.MountFromBlob, MatrixFixture.MountAnywhereBlob })
                {
                    await MatrixFixture.UnlinkAsync(admin, MatrixFixture.Existing, blob);
                    await MatrixFixture.UnlinkAsync(admin, MatrixFixture.Public, blob);
                }

                break;
            case MatrixPrepare.Upload:
                var location = await admin.StartUploadAsync(repository);
                return location[(location.LastIndexOf('/') + 1)..].Split('?')[0];
        }

        return "";
    }

    private static async Task<HttpContent?> BodyAsync(MatrixBody body, MatrixCredentials credentials)
    {
        var login = credentials.Login ?? ("", "");
        return body switch
        {
            MatrixBody.Manifest => Bytes(MatrixFixture.Manifest, MediaTypes.OciManifest),
            MatrixBody.Chunk => Bytes(MatrixFixture.Chunk, MediaTypes.OctetStream),
            MatrixBody.Monolithic => Bytes(MatrixFixture.MonolithicBlob, MediaTypes.OctetStream),
            MatrixBody.Description => new StringContent("{\"description\":\"matrix\"}", Encoding.UTF8, "application/json"),
            MatrixBody.Login => new StringContent(JsonSerializer.Serialize(new { username = login.User, password = login.Password }), Encoding.UTF8, "application/json"),
            MatrixBody.PasswordGrant => Form(("grant_type", "password"), ("username", login.User), ("password", login.Password), ("service", "wharf"),
                ("scope", $"repository:{MatrixFixture.Existing}:pull")),
            MatrixBody.RefreshGrant => Form(("grant_type", "refresh_token"), ("refresh_token", await credentials.RefreshToken()), ("service", "wharf"),
                ("scope", $"repository:{MatrixFixture.Existing}:pull")),
            _ => null,
        };
    }

    private static ByteArrayContent Bytes(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public static string Fill(string path, int index, MatrixTarget target, string upload) => path
        .Replace("{repo}", MatrixFixture.Repository(target, index), StringComparison.Ordinal)
        .Replace("{ns}", MatrixFixture.Namespace(target), StringComparison.Ordinal)
        .Replace("{src}", MatrixFixture.MountSource, StringComparison.Ordinal)
        .Replace("{tag}", MatrixFixture.Tag, StringComparison.Ordinal)
        .Replace("{manifest}", Digests.Sha256(MatrixFixture.Manifest), StringComparison.Ordinal)
        .Replace("{doomed}", Digests.Sha256(MatrixFixture.DoomedManifest), StringComparison.Ordinal)
        .Replace("{layer}", Digests.Sha256(MatrixFixture.Layer), StringComparison.Ordinal)
        .Replace("{doomedBlob}", Digests.Sha256(MatrixFixture.DoomedBlob), StringComparison.Ordinal)
        .Replace("{mountFrom}", Digests.Sha256(MatrixFixture.MountFromBlob), StringComparison.Ordinal)
        .Replace("{mountAnywhere}", Digests.Sha256(MatrixFixture.MountAnywhereBlob), StringComparison.Ordinal)
        .Replace("{monolithic}", Digests.Sha256(MatrixFixture.MonolithicBlob), StringComparison.Ordinal)
        .Replace("{chunk}", Digests.Sha256(MatrixFixture.Chunk), StringComparison.Ordinal)
        .Replace("{version}", UiVersion.Value, StringComparison.Ordinal)
        .Replace("{upload}", upload, StringComparison.Ordinal);

    private static string? CodeOf(string body)
    {
        if (!body.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static string Truncate(string body) => body.Length <= 300 ? body : string.Concat(body.AsSpan(0, 300), "…");

    private void Fail(string message) => _failures.Add(message);
}
