using System.Text;
using CsCheck;
using Wharf.BrowserTests.Infrastructure;
using Wharf.FuzzTests.Harness;
using Xunit.Abstractions;

namespace Wharf.BrowserTests;

/// <summary>
/// Fuzzes the README renderer's link and URL handling in Chromium: whatever the spacing, case, entities or control
/// characters, no <c>javascript:</c>, <c>data:</c>, <c>vbscript:</c> or other-scheme URL and no element or attribute
/// outside the renderer's set reaches the page; the output parses back to the same elements; a README up to the 64 KiB limit
/// renders within the time bound. Inputs: the corpus in tests/Wharf.FuzzTests/Corpus/markdown, mutated, and generated
/// documents full of obfuscated links.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MarkdownFuzzTests(BrowserFixture browser, MarkdownPage fixture, ITestOutputHelper output) : IClassFixture<MarkdownPage>, IAsyncLifetime
{
    private const int ReadmeLimit = 64 * 1024;

    /// <summary>
    /// The longest a README may take to render (the largest, 64 KiB, takes well under a second); before the fix some
    /// took 5 to 25 seconds.
    /// </summary>
    private static readonly TimeSpan RenderLimit = TimeSpan.FromSeconds(3);

    /// <summary>Renders in the page and returns what breaks a property (empty when none does) and the time it took.</summary>
    private const string Check =
        """
        async ([src, text]) => {
          const { markdown } = await import(src);
          const started = performance.now();
          const root = document.createElement('div');
          root.append(markdown(text));
          const elapsed = performance.now() - started;
          const tags = ['P','STRONG','EM','DEL','CODE','PRE','A','SPAN','DIV','TABLE','THEAD','TBODY','TR','TH','TD','BR',
                        'H2','H3','H4','H5','H6','UL','OL','LI','BLOCKQUOTE','HR'];
          const attributes = ['href','title','rel','class','aria-hidden','start','scope','tabindex','role','aria-label'];
          const problems = [];
          for (const e of root.querySelectorAll('*')) {
            if (!tags.includes(e.tagName)) problems.push('element ' + e.tagName);
            for (const a of e.attributes) if (!attributes.includes(a.name)) problems.push('attribute ' + a.name + ' on ' + e.tagName);
            if (e.hasAttribute('href')) {
              const href = e.getAttribute('href');
              const url = new URL(href, location.href);
              const local = url.origin === location.origin && /^[/#?]/.test(href) && !/^\/[/\\]/.test(href);
              if (!['http:', 'https:', 'mailto:'].includes(url.protocol) || (/^[/#?]/.test(href) && !local)) problems.push('href ' + JSON.stringify(href));
            }
          }
          // The page's CSP requires Trusted Types for HTML sinks; the check's own policy only re-parses the output.
          window.__fuzzPolicy ??= trustedTypes.createPolicy('markdown-fuzz-check', { createHTML: (html) => html });
          const template = document.createElement('template');
          template.innerHTML = window.__fuzzPolicy.createHTML(root.innerHTML);
          // Elements and attributes only: the HTML parser turns NUL into U+FFFD and CR into LF in text, which is harmless.
          const normal = (value) => value.replace(/\0/g, '\uFFFD').replace(/\r\n?/g, '\n');
          const shape = (node) => [...node.querySelectorAll('*')]
            .map((e) => e.tagName + '[' + [...e.attributes].map((a) => a.name + '=' + normal(a.value)).join(',') + ']').join('');
          if (shape(template.content) !== shape(root)) problems.push('the output does not parse back to the same elements');
          if (window.__alerted !== undefined) problems.push('alert ran');
          return { problems, elapsed };
        }
        """;

    public Task InitializeAsync() => fixture.StartAsync(browser.Browser);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task No_readme_makes_an_unsafe_link_or_element_or_takes_too_long()
    {
        var corpus = Corpus.Load("markdown");
        var seeds = corpus.Select(f => f.Bytes).ToList();
        var documents = Gen.Frequency(
            (3, Mutations.SeededOrRandom(seeds, Tokens, 16 * 1024).Select(b => Encoding.UTF8.GetString(b))),
            (4, Block.Array[1, 8].Select(blocks => string.Join('\n', blocks))),
            (1, Gen.Select(Gen.OneOf("[", "![", "*", "_", "`", "~~", "\\", "[a](", "<", "> ", "- ", "**[", "|", "](", "[a]", "\n", " ",
                "*a ", "_a ", "`a ", "``a ", "~~a ", "<a ", "[a] ", "**a ", " h", "<http://", "[a](<", "[a](b \"", "1. ", "# "),
                Gen.Int[1, ReadmeLimit], (unit, bytes) => string.Concat(Enumerable.Repeat(unit, bytes / unit.Length)))));
        long inputs = 0;
        foreach (var file in corpus)
        {
            inputs++;
            await RenderAsync(Encoding.UTF8.GetString(file.Bytes), file.Name);
        }

        await documents.SampleAsync(async text =>
        {
            Interlocked.Increment(ref inputs);
            await RenderAsync(text, null);
        }, iter: FuzzSettings.IterationsFor(4), threads: 1, print: Show);
        output.WriteLine($"fuzz markdown: {inputs} inputs ({corpus.Count} corpus files, the rest generated)");
    }

    private async Task RenderAsync(string text, string? corpusFile)
    {
        var result = await fixture.Page.EvaluateAsync<System.Text.Json.JsonElement>(Check, new object[] { fixture.ModuleUrl, text });
        var problems = result.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        var elapsed = result.GetProperty("elapsed").GetDouble();
        var where = corpusFile is null ? Show(text) : $"corpus file {corpusFile}";
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"markdown: {where}: {string.Join("; ", problems)}");
        }

        if (elapsed > RenderLimit.TotalMilliseconds)
        {
            throw new InvalidOperationException($"markdown: {where} took {elapsed:F0} ms to render");
        }
    }

    private static string Show(string text) => text.Length <= 300
        ? System.Text.Json.JsonSerializer.Serialize(text)
        : $"{System.Text.Json.JsonSerializer.Serialize(text[..300])}… ({text.Length} chars)";

    private static readonly IReadOnlyList<byte[]> Tokens = [.. new[]
    {
        "[", "]", "(", ")", "<", ">", "!", "\"", "'", "\\", "&", ";", "#", ":", "&colon;", "&#58;", "%3A", "javascript:", "data:", "vbscript:",
        "\t", "\n", "\r", " ", "\0", "\u0001", "\u200b", "\u00a0", "&#x09;", "&Tab;", "&NewLine;", "//", "/\\", "**", "_", "`", "> ", "- ", "| ",
    }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>A scheme spelled to slip past a filter: mixed case, entities, control characters and spaces inside or before it.</summary>
    private static readonly Gen<string> Scheme = Gen.Select(
        Gen.OneOf("javascript", "vbscript", "data", "http", "https", "mailto", "file", "blob", "filesystem", "about", "chrome", "intent", ""),
        Gen.Int.Array[0, 4], Gen.OneOf(":", "&colon;", "&#58;", "&#x3a;", "%3A", "\\:", " :", ":\n"),
        Gen.OneOf("", " ", "\t", "\u0001", "\u0000", "\u00a0", "\u200b", "\n", "&#32;"),
        (scheme, edits, colon, prefix) =>
        {
            var chars = new StringBuilder(scheme);
            foreach (var edit in edits)
            {
                if (chars.Length == 0)
                {
                    break;
                }

                var at = (edit & int.MaxValue) % chars.Length;
                var c = chars[at];
                switch (((edit >> 8) & 0xFF) % 5)
                {
                    case 0: chars[at] = char.ToUpperInvariant(chars[at]); break;
                    case 1: chars.Insert(at, "\t"); break;
                    case 2: chars.Insert(at, "\n"); break;
                    case 3: chars.Remove(at, 1).Insert(at, $"&#{(int)c};"); break;
                    default: chars.Insert(at, "\u0000"); break;
                }
            }

            return prefix + chars + colon;
        });

    private static readonly Gen<string> Url = Gen.Select(Scheme, Gen.OneOf("alert(1)", "//example.com/x", "text/html;base64,PHNjcmlwdD4=", "a@example.com", "/\\evil", ""),
        (scheme, rest) => scheme + rest);

    private static readonly Gen<string> Link = Gen.Select(Url, Gen.Int[0, 7], Gen.OneOf("", " \"t\"", " 'x\" onmouseover=\"alert(1)'", " \"a\nb\""),
        (url, form, title) => form switch
        {
            0 => $"[label]({url}{title})",
            1 => $"[label](<{url}>{title})",
            2 => $"![alt]({url}{title})",
            3 => $"<{url}>",
            4 => url,
            5 => $"[![img]({url})]({url})",
            6 => $"[a [b]({url}) c]({url})",
            _ => $"**[x]({url})**",
        });

    private static readonly Gen<string> Block = Gen.Select(Gen.OneOf("", "# ", "> ", "- ", "1. ", "| a | b |\n|---|---|\n| ", "    ", "```\n", "Title\n===\n"),
        Link.Array[1, 4], (marker, links) => marker + string.Join(' ', links));
}
