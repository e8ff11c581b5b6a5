using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.BrowserTests;

/// <summary>
/// One Wharf and one page for all markdown cases (started by the first test, since a class fixture cannot be given the
/// browser): the renderer module is imported and run in the browser. <c>alert</c> only records that it was called.
/// </summary>
public sealed class MarkdownPage : IAsyncLifetime
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private WharfTestServer? _server;
    private IBrowserContext? _context;

    public IPage Page { get; private set; } = null!;

    public string ModuleUrl { get; private set; } = "";

    public async Task StartAsync(IBrowser browser)
    {
        await _starting.WaitAsync();
        try
        {
            if (_server is not null)
            {
                return;
            }

            _server = await WharfTestServer.StartAsync();
            _context = await browser.NewContextAsync(new() { BaseURL = _server.BaseAddress.ToString() });
            Page = await _context.NewPageAsync();
            await Page.AddInitScriptAsync("window.alert = () => { window.__alerted = true; };");
            await Page.GotoAsync("/");
            var app = await Page.Locator("script[type=module]").GetAttributeAsync("src");
            ModuleUrl = app!.Replace("/js/app.js", "/js/markdown.js", StringComparison.Ordinal);
        }
        finally
        {
            _starting.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The README renderer: the markdown READMEs use becomes elements, and nothing else ever does.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MarkdownRendererTests(BrowserFixture browser, MarkdownPage fixture) : IClassFixture<MarkdownPage>, IAsyncLifetime
{
    private IPage Page => fixture.Page;

    public Task InitializeAsync() => fixture.StartAsync(browser.Browser);

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("# Title", "<h2>Title</h2>")]
    [InlineData("### Deep ###", "<h4>Deep</h4>")]
    [InlineData("Title\n=====", "<h2>Title</h2>")]
    [InlineData("one\ntwo", "<p>one\ntwo</p>")]
    [InlineData("hard  \nbreak", "<p>hard<br>break</p>")]
    [InlineData("**bold** and *em* and _em_ and ~~gone~~", "<p><strong>bold</strong> and <em>em</em> and <em>em</em> and <del>gone</del></p>")]
    [InlineData("snake_case_name stays", "<p>snake_case_name stays</p>")]
    [InlineData("2 * 3 * 4", "<p>2 * 3 * 4</p>")]
    [InlineData("`a <b> c`", "<p><code>a &lt;b&gt; c</code></p>")]
    [InlineData("``code with ` inside``", "<p><code>code with ` inside</code></p>")]
    [InlineData("\\*not em\\*", "<p>*not em*</p>")]
    [InlineData("```js\nlet x = '<b>';\n```", "<pre><code class=\"language-js\">let x = '&lt;b&gt;';</code></pre>")]
    [InlineData("    indented\n    code", "<pre><code>indented\ncode</code></pre>")]
    [InlineData("- a\n- b", "<ul><li>a</li><li>b</li></ul>")]
    [InlineData("3. c\n4. d", "<ol start=\"3\"><li>c</li><li>d</li></ol>")]
    [InlineData("- a\n  - nested\n- b", "<ul><li>a<ul><li>nested</li></ul></li><li>b</li></ul>")]
    [InlineData("> quoted\n> text", "<blockquote><p>quoted\ntext</p></blockquote>")]
    [InlineData("---", "<hr>")]
    [InlineData("| a | b |\n|:--|--:|\n| 1 | 2 |", "<div class=\"table-wrap\"><table><thead><tr><th class=\"align-left\" scope=\"col\">a</th><th class=\"align-right\" scope=\"col\">b</th></tr></thead><tbody><tr><td class=\"align-left\">1</td><td class=\"align-right\">2</td></tr></tbody></table></div>")]
    [InlineData("[site](https://example.com \"Title\")", "<p><a href=\"https://example.com/\" title=\"Title\" rel=\"noopener noreferrer nofollow\">site</a></p>")]
    [InlineData("[here](/r/team/app)", "<p><a href=\"/r/team/app\">here</a></p>")]
    [InlineData("<https://example.com/x>", "<p><a href=\"https://example.com/x\" rel=\"noopener noreferrer nofollow\">https://example.com/x</a></p>")]
    [InlineData("see https://example.com/a.", "<p>see <a href=\"https://example.com/a\" rel=\"noopener noreferrer nofollow\">https://example.com/a</a>.</p>")]
    [InlineData("![logo](https://example.com/logo.png)", "<p><a href=\"https://example.com/logo.png\" rel=\"noopener noreferrer nofollow\"><span class=\"image-link\" aria-hidden=\"true\">🖼 </span>logo</a></p>")]
    public async Task Markdown_becomes_these_elements(string markdown, string html)
    {
        Assert.Equal(html, await RenderAsync(markdown));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JAVASCRIPT:alert(1))")]
    [InlineData("[x]( javascript:alert(1) )")]
    [InlineData("[x](vbscript:msgbox(1))")]
    [InlineData("[x](data:text/html,<script>alert(1)</script>)")]
    [InlineData("[x](//evil.example/path)")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("**<svg onload=alert(1)>**")]
    [InlineData("| <b>x</b> |\n|---|\n| <img src=x> |")]
    [InlineData("```\n</code></pre><script>alert(1)</script>\n```")]
    public async Task Markup_and_unsafe_links_never_become_elements_or_links(string markdown)
    {
        var result = await Page.EvaluateAsync<string[]>(
            """
            async ([src, text]) => {
              const { markdown } = await import(src);
              const root = document.createElement('div');
              root.append(markdown(text));
              document.body.append(root);
              await new Promise((resolve) => setTimeout(resolve, 50));
              root.remove();
              const bad = [...root.querySelectorAll('*')].filter((e) =>
                !['P','STRONG','EM','DEL','CODE','PRE','A','SPAN','DIV','TABLE','THEAD','TBODY','TR','TH','TD','BR'].includes(e.tagName)
                || [...e.attributes].some((a) => a.name.startsWith('on') || a.name === 'src' || a.name === 'style')
                || (e.tagName === 'A' && !/^(https?:|mailto:|\/(?![\/\\]))/.test(e.getAttribute('href'))));
              return bad.map((e) => e.outerHTML);
            }
            """, new object[] { fixture.ModuleUrl, markdown });

        Assert.Empty(result);
        Assert.Equal("undefined", await Page.EvaluateAsync<string>("() => typeof window.__alerted"));
    }

    [Fact]
    public async Task A_deeply_nested_readme_renders_without_blowing_the_stack()
    {
        var nested = string.Concat(Enumerable.Repeat("> ", 5000)) + "deep\n" + string.Concat(Enumerable.Repeat("- ", 5000)) + "x\n"
            + string.Concat(Enumerable.Repeat("**[", 2000)) + "y" + string.Concat(Enumerable.Repeat("](/a)**", 2000));

        var html = await RenderAsync(nested);

        Assert.Contains("deep", html, StringComparison.Ordinal);
    }

    private Task<string> RenderAsync(string markdown) =>
        Page.EvaluateAsync<string>(
            """
            async ([src, text]) => {
              const { markdown } = await import(src);
              const root = document.createElement('div');
              root.append(markdown(text));
              return root.innerHTML;
            }
            """, new object[] { fixture.ModuleUrl, markdown });
}
