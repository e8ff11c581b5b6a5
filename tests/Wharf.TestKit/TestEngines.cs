namespace Wharf.TestKit;

/// <summary>
/// The real engines test.sh starts for the scale-out tests: PostgreSQL and an S3-compatible object store
/// (Ceph RGW). Each test isolates itself with a unique schema, bucket or prefix.
/// </summary>
public static class TestEngines
{
    /// <summary>Npgsql connection string of a database the tests may create schemas in (WHARF_TEST_POSTGRES).</summary>
    public static string PostgreSql => Required("WHARF_TEST_POSTGRES");

    /// <summary>The S3 endpoint, e.g. http://127.0.0.1:7480 (WHARF_TEST_S3_ENDPOINT).</summary>
    public static string S3Endpoint => Required("WHARF_TEST_S3_ENDPOINT");

    public static string S3AccessKey => Environment.GetEnvironmentVariable("WHARF_TEST_S3_ACCESS_KEY") ?? "testaccesskey";

    public static string S3SecretKey => Environment.GetEnvironmentVariable("WHARF_TEST_S3_SECRET_KEY") ?? "testsecretkey";

    /// <summary>A lowercase name unique to this call, usable as a schema, bucket or key prefix.</summary>
    public static string UniqueName(string purpose) => $"t{purpose}{Guid.NewGuid():N}"[..Math.Min(40, purpose.Length + 33)].ToLowerInvariant();

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException($"{name} is not set: run the tests through ./test.sh, which starts PostgreSQL and Ceph RGW (scripts/engines/)");
}
