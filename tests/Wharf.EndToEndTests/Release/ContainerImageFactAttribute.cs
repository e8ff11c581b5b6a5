namespace Wharf.EndToEndTests.Release;

/// <summary>
/// A test of Wharf's own container image: it needs the image built (a self-contained publish, minutes on 2 cores), so
/// it runs only when <c>WHARF_TEST_IMAGE=1</c> (<c>./test.sh --release</c>) and is skipped otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContainerImageFactAttribute : FactAttribute
{
    public ContainerImageFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("WHARF_TEST_IMAGE") != "1")
        {
            Skip = "builds Wharf's container image (scripts/build-image.sh, minutes): set WHARF_TEST_IMAGE=1 or run ./test.sh --release";
        }
    }
}
