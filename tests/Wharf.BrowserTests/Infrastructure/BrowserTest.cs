using System.Collections.Concurrent;
using Microsoft.Playwright;
using Wharf.TestKit;

namespace Wharf.BrowserTests.Infrastructure;

/// <summary>
/// A test with its own seeded Wharf (<see cref="UiRegistry"/>) and its own browser context (own cookies). Fails when a
/// page throws or the browser reports a Content-Security-Policy or Trusted Types violation.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _problems = new();
    private IBrowserContext? _context;
    private UiRegistry? _registry;

    protected UiRegistry Registry => _registry ?? throw new InvalidOperationException("not started");

    protected IBrowserContext Context => _context ?? throw new InvalidOperationException("not started");

    /// <summary>The color scheme the pages are shown in.</summary>
    protected virtual ColorScheme ColorScheme => ColorScheme.Light;

    public async Task InitializeAsync()
    {
        _registry = await UiRegistry.StartAsync();
        _context = await browser.Browser.NewContextAsync(new()
        {
            BaseURL = _registry.BaseAddress.ToString(),
            ViewportSize = new() { Width = 1280, Height = 860 },
            ColorScheme = ColorScheme,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        _context.SetDefaultTimeout(BrowserFixture.Timeout);
        await _context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
    }

    /// <summary>A new tab, watched for script errors and policy violations.</summary>
    protected async Task<IPage> OpenAsync(string path)
    {
        var page = await Context.NewPageAsync();
        page.PageError += (_, error) => _problems.Enqueue("page error: " + error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.Contains("Trusted Type", StringComparison.OrdinalIgnoreCase)))
            {
                _problems.Enqueue("console: " + message.Text);
            }
        };
        await page.GotoAsync(path);
        return page;
    }

    /// <summary>Signs in through <c>/api/session</c>, as the UI does, so the context holds the session cookie.</summary>
    protected async Task SignInAsync(string user, string password)
    {
        var response = await Context.APIRequest.PostAsync("/api/session", new() { DataObject = new { username = user, password } });
        Assert.True(response.Ok, $"sign-in as {user} answered {response.Status}");
    }

    /// <summary>Signs in as alice, who may push and delete in every repository of <see cref="UiRegistry"/>.</summary>
    protected Task SignInAsAliceAsync() => SignInAsync("alice", UiRegistry.AlicePassword);

    /// <summary>Signs in as alice, then opens <paramref name="path"/> in a new tab (see <see cref="OpenAsync"/>).</summary>
    protected async Task<IPage> OpenAsAliceAsync(string path)
    {
        await SignInAsAliceAsync();
        return await OpenAsync(path);
    }

    /// <summary>An HTTP client for the registry API, signed in as alice with basic credentials; the caller disposes it.</summary>
    protected HttpClient AliceClient()
    {
        var client = new HttpClient { BaseAddress = Registry.BaseAddress };
        client.DefaultRequestHeaders.Authorization = Accounts.Basic("alice", UiRegistry.AlicePassword);
        return client;
    }

    protected void AssertNoPageProblems() => Assert.Empty(_problems);

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        AssertNoPageProblems();
    }
}
