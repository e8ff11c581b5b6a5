namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// The access model in token mode, one row per request. A cell is the status for every target, or
/// <c>existing/missing/public</c> (secret/app, a repository that does not exist, public/app). Registry requests carry
/// the role's Bearer token (from the token service, asked for every scope); the API and UI carry its web session; the
/// token service gets its login. Refusals: 401 with a Bearer challenge on /v2/ (insufficient_scope when the token is
/// valid), 401 without a challenge on the API for anonymous callers and bad credentials, 404 NAME_UNKNOWN on the API
/// for a signed-in caller who may not pull, 403 DENIED on the API for one who may pull but not do the rest.
/// </summary>
public static class TokenModeMatrix
{
    private const string V2 = EndpointInventory.Dispatcher;

    public static IReadOnlyList<MatrixRow> Rows { get; } =
    [
        //                                                                          none   anon           outsider       reader         writer         deleter        admin          robot          expired othaud revoked removed
        R("ping", "GET", "/v2/", "/v2",                                             "401", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401"),
        R("catalog", "GET", "/v2/_catalog", V2,                                     "401", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401") with { Lists = true },
        R("tags list", "GET", "/v2/{repo}/tags/list", V2,                           "401", "401/401/200", "401/401/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/401/200", "401", "401", "401", "401"),
        R("manifest get", "GET", "/v2/{repo}/manifests/{tag}", V2,                  "401", "401/401/200", "401/401/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/401/200", "401", "401", "401", "401") with { NotFound = "MANIFEST_UNKNOWN" },
        R("manifest head", "HEAD", "/v2/{repo}/manifests/{manifest}", V2,           "401", "401/401/200", "401/401/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/401/200", "401", "401", "401", "401"),
        R("manifest put", "PUT", "/v2/{repo}/manifests/pushed", V2,                 "401", "401",         "401",         "401",         "201/400/201", "401",         "201/400/201", "201/401/401", "401", "401", "401", "401") with { Body = MatrixBody.Manifest, Invalid = "MANIFEST_BLOB_UNKNOWN" },
        R("manifest delete", "DELETE", "/v2/{repo}/manifests/{doomed}", V2,         "401", "401",         "401",         "401",         "401",         "202/404/202", "202/404/202", "401",         "401", "401", "401", "401") with { Prepare = MatrixPrepare.Doomed, NotFound = "MANIFEST_UNKNOWN" },
        R("blob get", "GET", "/v2/{repo}/blobs/{layer}", V2,                        "401", "401/401/200", "401/401/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/401/200", "401", "401", "401", "401") with { NotFound = "BLOB_UNKNOWN" },
        R("blob head", "HEAD", "/v2/{repo}/blobs/{layer}", V2,                      "401", "401/401/200", "401/401/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/401/200", "401", "401", "401", "401"),
        R("blob delete", "DELETE", "/v2/{repo}/blobs/{doomedBlob}", V2,             "401", "401",         "401",         "401",         "401",         "202/404/202", "202/404/202", "401",         "401", "401", "401", "401") with { Prepare = MatrixPrepare.DoomedBlob, NotFound = "BLOB_UNKNOWN" },
        R("upload start", "POST", "/v2/{repo}/blobs/uploads/", V2,                  "401", "401",         "401",         "401",         "202",         "401",         "202",         "202/401/401", "401", "401", "401", "401"),
        R("upload monolithic", "POST", "/v2/{repo}/blobs/uploads/?digest={monolithic}", V2, "401", "401", "401",         "401",         "201",         "401",         "201",         "201/401/401", "401", "401", "401", "401") with { Body = MatrixBody.Monolithic },
        R("mount with from", "POST", "/v2/{repo}/blobs/uploads/?mount={mountFrom}&from={src}", V2, "401", "401", "401",  "401",         "201",         "401",         "201",         "401",         "401", "401", "401", "401") with { Prepare = MatrixPrepare.UnlinkMountBlobs },
        R("mount without from", "POST", "/v2/{repo}/blobs/uploads/?mount={mountAnywhere}", V2, "401", "401", "401",      "401",         "201",         "401",         "201",         "202/401/401", "401", "401", "401", "401") with { Prepare = MatrixPrepare.UnlinkMountBlobs },
        R("upload patch", "PATCH", "/v2/{repo}/blobs/uploads/{upload}", V2,         "401", "401",         "401",         "401",         "202/404/202", "401",         "202/404/202", "202/401/401", "401", "401", "401", "401") with { Body = MatrixBody.Chunk, Prepare = MatrixPrepare.Upload, NotFound = "BLOB_UPLOAD_UNKNOWN" },
        R("upload put", "PUT", "/v2/{repo}/blobs/uploads/{upload}?digest={chunk}", V2, "401", "401",      "401",         "401",         "201/404/201", "401",         "201/404/201", "201/401/401", "401", "401", "401", "401") with { Body = MatrixBody.Chunk, Prepare = MatrixPrepare.Upload, NotFound = "BLOB_UPLOAD_UNKNOWN" },
        R("upload status", "GET", "/v2/{repo}/blobs/uploads/{upload}", V2,          "401", "401",         "401",         "401",         "204/404/204", "401",         "204/404/204", "204/401/401", "401", "401", "401", "401") with { Prepare = MatrixPrepare.Upload, NotFound = "BLOB_UPLOAD_UNKNOWN" },
        R("upload cancel", "DELETE", "/v2/{repo}/blobs/uploads/{upload}", V2,       "401", "401",         "401",         "401",         "204/404/204", "401",         "204/404/204", "204/401/401", "401", "401", "401", "401") with { Prepare = MatrixPrepare.Upload, NotFound = "BLOB_UPLOAD_UNKNOWN" },
        // Referrers of a manifest a repository lacks are an empty index (OCI 1.1), whether or not the repository exists.
        R("referrers", "GET", "/v2/{repo}/referrers/{manifest}", V2,                "401", "401/401/200", "401/401/200", "200/200/200", "200/200/200", "200/200/200", "200/200/200", "200/401/200", "401", "401", "401", "401"),

        R("token get", "GET", "/auth/token?service=wharf&scope=repository:{src}:pull", "/auth/token", "200", "200", "200", "200", "200",   "200",         "200",         "200",         "401", "401", "401", "401"),
        R("token password grant", "POST", "/auth/token", "/auth/token",             "401", "401",         "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401") with { Body = MatrixBody.PasswordGrant },
        R("token refresh grant", "POST", "/auth/token?grant=refresh", "/auth/token", "401", "401",        "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401") with { Body = MatrixBody.RefreshGrant },
        R("token other method", "PUT", "/auth/token", "/auth/token",                "405", "405",         "405",         "405",         "405",         "405",         "405",         "405",         "405", "405", "405", "405"),

        R("session get", "GET", "/api/session", "/api/session",                     "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401"),
        R("session sign-in", "POST", "/api/session", "/api/session",                "401", "401",         "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401") with { Body = MatrixBody.Login },
        R("session sign-out", "DELETE", "/api/session", "/api/session",             "204", "204",         "204",         "204",         "204",         "204",         "204",         "204",         "204", "204", "204", "204"),
        R("repository list", "GET", "/api/repositories", "/api/repositories",       "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401") with { Lists = true },
        R("docker search", "GET", "/v1/search?q=app", "/v1/search",                 "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "401", "401", "401", "401") with { Lists = true },
        R("repository get", "GET", "/api/repository/{repo}", "/api/repository/{**name}", "401/401/200", "401/401/200", "404/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "401", "401", "401", "401"),
        R("repository describe", "PUT", "/api/repository/{repo}", "/api/repository/{**name}", "401", "401",  "404/404/403", "403",         "200/404/200", "403",         "200/404/200", "200/404/403", "401", "401", "401", "401") with { Body = MatrixBody.Description },
        R("repository delete", "DELETE", "/api/repository/{repo}", "/api/repository/{**name}", "401", "401", "404/404/403", "403",         "403",         "204/404/204", "204/404/204", "403/404/403", "401", "401", "401", "401") with { Prepare = MatrixPrepare.Seed },
        R("tags", "GET", "/api/tags/{repo}", "/api/tags/{**name}",                  "401/401/200", "401/401/200", "404/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "401", "401", "401", "401"),
        R("tag delete", "DELETE", "/api/tags/{repo}?tag=doomed", "/api/tags/{**name}", "401", "401",         "404/404/403", "403",         "403",         "204/404/204", "204/404/204", "403/404/403", "401", "401", "401", "401") with { Prepare = MatrixPrepare.Doomed },
        R("image", "GET", "/api/image/{repo}?reference={tag}", "/api/image/{**name}", "401/401/200", "401/401/200", "404/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "401", "401", "401", "401"),
        R("layer files", "GET", "/api/files/{repo}?digest={layer}", "/api/files/{**name}", "401/401/200", "401/401/200", "404/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "200/404/200", "401", "401", "401", "401"),
        R("gc status", "GET", "/api/gc", "/api/gc",                                 "401", "401",         "403",         "403",         "403",         "403",         "200",         "403",         "401", "401", "401", "401"),
        R("audit log", "GET", "/api/audit?n=5", "/api/audit",                        "401", "401",         "403",         "403",         "403",         "403",         "200",         "403",         "401", "401", "401", "401"),
        R("webhook events", "GET", "/api/events?n=5", "/api/events",                 "401", "401",         "403",         "403",         "403",         "403",         "200",         "403",         "401", "401", "401", "401"),
        R("webhook replay", "POST", "/api/events/replay?endpoint=none", "/api/events/replay", "401", "401",     "403",         "403",         "403",         "403",         "200",         "403",         "401", "401", "401", "401"),
        R("replication jobs", "GET", "/api/replication?n=5", "/api/replication",     "401", "401",         "403",         "403",         "403",         "403",         "200",         "403",         "401", "401", "401", "401"),
        R("replication run", "POST", "/api/replication/none/run", "/api/replication/{rule}/run", "401", "401", "403",     "403",         "403",         "403",         "400",         "403",         "401", "401", "401", "401"),
        R("retention run", "POST", "/api/retention/run?dryRun=true", "/api/retention/run", "401", "401",     "403",         "403",         "403",         "403",         "200",         "403",         "401", "401", "401", "401"),
        R("namespace usage", "GET", "/api/namespaces/{ns}", "/api/namespaces/{name}", "401/401/200", "401/401/200", "404/404/200", "200/404/200", "200/404/200", "200/404/200", "200/200/200", "200/404/200", "401", "401", "401", "401"),

        R("liveness", "GET", "/healthz", "/healthz",                                "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        R("liveness head", "HEAD", "/healthz", "/healthz",                          "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        R("readiness", "GET", "/readyz", "/readyz",                                 "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        R("readiness head", "HEAD", "/readyz", "/readyz",                           "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        // Prometheus scrapes without credentials: the metrics name no repository (docs/design/reliability.md, "Metrics").
        R("metrics scrape", "GET", "/metrics", "/metrics",                           "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui home", "GET", "/", "/",                                               "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui home head", "HEAD", "/", "/",                                         "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui sign-in", "GET", "/sign-in", "/sign-in",                              "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui sign-in head", "HEAD", "/sign-in", "/sign-in",                        "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui repository page", "GET", "/r/{repo}", "/r/{**rest}",                  "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui repository head", "HEAD", "/r/{repo}", "/r/{**rest}",                 "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui asset", "GET", "/ui/{version}/js/app.js", "/ui/{version}/{**file}",   "200", "200",         "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("ui asset head", "HEAD", "/ui/{version}/js/app.js", "/ui/{version}/{**file}", "200", "200",      "200",         "200",         "200",         "200",         "200",         "200",         "200", "200", "200", "200"),
        R("unknown path", "GET", "/no/such/page", "{*path:nonfile}",                "404", "404",         "404",         "404",         "404",         "404",         "404",         "404",         "404", "404", "404", "404") with { NotFound = "UNSUPPORTED" },
    ];

    private static MatrixRow R(string name, string method, string path, string endpoint, params string[] cells) => new(name, method, path, endpoint, cells);
}
