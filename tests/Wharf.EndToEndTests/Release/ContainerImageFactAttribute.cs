namespace Wharf.EndToEndTests.Release;

/// <summary>
/// A test of Wharf's own container image: it needs the image built (a self-contained publish, minutes on 2 cores), so
/// it runs only when <c>WHARF_TEST_IMAGE=1</c> (what <c>./test.sh</c> sets unless told <c>WHARF_TEST_IMAGE=0</c>) and is
/// skipped otherwise (a bare <c>dotnet test</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContainerImageFactAttribute : FactAttribute
{
    public ContainerImageFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("WHARF_TEST_IMAGE") != "1")
        {
            Skip = "builds Wharf's container image (scripts/build-image.sh, minutes): set WHARF_TEST_IMAGE=1 or run ./test.sh";
        }
    }
}
