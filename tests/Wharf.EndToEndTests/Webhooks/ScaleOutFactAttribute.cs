namespace Wharf.EndToEndTests.Webhooks;

/// <summary>A test on the real scale-out engines, skipped (not failed) when the run has none (WHARF_TEST_POSTGRES and WHARF_TEST_S3_ENDPOINT unset).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScaleOutFactAttribute : FactAttribute
{
    public ScaleOutFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WHARF_TEST_POSTGRES")) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WHARF_TEST_S3_ENDPOINT")))
        {
            Skip = "needs PostgreSQL and S3: set WHARF_TEST_POSTGRES and WHARF_TEST_S3_ENDPOINT (./test.sh starts both)";
        }
    }
}
