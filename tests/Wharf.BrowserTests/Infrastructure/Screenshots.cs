using Microsoft.Playwright;

namespace Wharf.BrowserTests.Infrastructure;

/// <summary>
/// Screenshots of every page the tests visit, saved as test artifacts in <c>artifacts/screenshots/</c> of the repository
/// (or <c>WHARF_SCREENSHOTS</c>). With <c>WHARF_UPDATE_DOCS_SCREENSHOTS=1</c> the main pages are also copied to
/// <c>docs/screenshots/</c>, where the README shows them.
/// </summary>
public static class Screenshots
{
    private static readonly string? RepositoryRoot = FindRepositoryRoot();

    public static string Directory =>
        Environment.GetEnvironmentVariable("WHARF_SCREENSHOTS") is { Length: > 0 } configured ? configured
        : Path.Combine(RepositoryRoot ?? Path.GetTempPath(), "artifacts", "screenshots");

    /// <summary>Saves a screenshot (of the whole page unless <paramref name="fullPage"/> is false: a modal dialog covers only the viewport) as <c>name.png</c>; <paramref name="docs"/> marks the pages the README shows.</summary>
    public static async Task<string> SaveAsync(IPage page, string name, bool docs = false, bool fullPage = true)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
        if (docs && RepositoryRoot is not null && Environment.GetEnvironmentVariable("WHARF_UPDATE_DOCS_SCREENSHOTS") == "1")
        {
            var target = Path.Combine(RepositoryRoot, "docs", "screenshots");
            System.IO.Directory.CreateDirectory(target);
            File.Copy(path, Path.Combine(target, name + ".png"), overwrite: true);
        }

        return path;
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Wharf.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
