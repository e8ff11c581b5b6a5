using System.Text.RegularExpressions;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>One line of <c>tar -tv --numeric-owner</c>, with the name normalised as Wharf normalises paths.</summary>
public sealed record TarListingLine(string Mode, int Uid, int Gid, long Size, string Modified, string Path, string? LinkTarget);

/// <summary>Layers made by GNU tar itself from a tree with every kind of entry, and what <c>tar -tv</c> says of them.</summary>
public static partial class GnuTarLayers
{
    /// <summary>A directory name long enough that paths under it need GNU or PAX long-name records.</summary>
    public static readonly string LongDirectory = "a-directory-name-long-enough-to-need-long-name-records-" + new string('x', 70);

    /// <summary>
    /// Fills <paramref name="root"/> with directories (with setgid and sticky bits), an executable, a setuid file, a file
    /// under a path over 100 characters, a hard link, symlinks (one with a target over 100 characters), whiteouts, an
    /// opaque marker and a FIFO.
    /// </summary>
    public static async Task FillAsync(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "usr", "share", LongDirectory, "nested"));
        Directory.CreateDirectory(Path.Combine(root, "var", "cache"));
        Directory.CreateDirectory(Path.Combine(root, "var", "empty"));
        Directory.CreateDirectory(Path.Combine(root, "var", "shared"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));

        await File.WriteAllTextAsync(Path.Combine(root, "bin", "tool"), "#!/bin/sh\necho tool\n");
        await ChmodAsync("755", Path.Combine(root, "bin", "tool"));
        await File.WriteAllTextAsync(Path.Combine(root, "bin", "su"), "pretend setuid binary\n");
        await ChmodAsync("4755", Path.Combine(root, "bin", "su"));
        await ChmodAsync("2775", Path.Combine(root, "var", "shared"));
        await ChmodAsync("1777", Path.Combine(root, "tmp"));
        await File.WriteAllTextAsync(Path.Combine(root, "usr", "share", LongDirectory, "nested", "file-with-a-long-path.txt"), new string('z', 5000));
        await File.WriteAllTextAsync(Path.Combine(root, "etc", "config.txt"), "key=value\n");
        await ChmodAsync("600", Path.Combine(root, "etc", "config.txt"));

        await ProcessRunner.RunCheckedAsync("ln", [Path.Combine(root, "bin", "tool"), Path.Combine(root, "bin", "tool-hardlink")]);
        File.CreateSymbolicLink(Path.Combine(root, "etc", "alias"), "/bin/tool");
        File.CreateSymbolicLink(Path.Combine(root, "etc", "long-link"), $"../usr/share/{LongDirectory}/nested/file-with-a-long-path.txt");
        await ProcessRunner.RunCheckedAsync("mkfifo", [Path.Combine(root, "var", "pipe")]);

        await File.WriteAllBytesAsync(Path.Combine(root, "etc", ".wh.removed.conf"), []);
        await File.WriteAllBytesAsync(Path.Combine(root, "usr", "share", ".wh.old-docs"), []);
        await File.WriteAllBytesAsync(Path.Combine(root, "var", "cache", ".wh..wh..opq"), []);

        var time = new DateTime(2025, 5, 4, 3, 2, 1, DateTimeKind.Utc);
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).LinkTarget is null))
        {
            File.SetLastWriteTimeUtc(path, time);
            time = time.AddMinutes(7);
        }
    }

    /// <summary>Archives <paramref name="root"/> with GNU tar: <paramref name="options"/> choose compression and format.</summary>
    public static async Task<byte[]> ArchiveAsync(string root, string output, params string[] options)
    {
        await ProcessRunner.RunCheckedAsync(RequiredTool.Find("tar", "tar"),
            [.. options, "--owner=1000", "--group=1001", "--numeric-owner", "-cf", output, "-C", root, "."]);
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>
    /// Archives only <paramref name="paths"/> (relative to <paramref name="root"/>, in that order) with GNU tar, not
    /// recursing: a file listed without its directories makes an archive that only implies them.
    /// </summary>
    public static async Task<byte[]> ArchivePathsAsync(string root, string output, IEnumerable<string> paths, params string[] options)
    {
        var list = output + ".paths";
        await File.WriteAllLinesAsync(list, paths);
        await ProcessRunner.RunCheckedAsync(RequiredTool.Find("tar", "tar"),
            [.. options, "--owner=1000", "--group=1001", "--numeric-owner", "--no-recursion", "-cf", output, "-C", root, "-T", list]);
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>What <c>tar -tv</c> lists for <paramref name="archive"/>, read with <paramref name="options"/> (e.g. <c>-z</c>), in UTC.</summary>
    public static async Task<List<TarListingLine>> ListAsync(string archive, params string[] options)
    {
        var result = await ProcessRunner.RunCheckedAsync(RequiredTool.Find("tar", "tar"), [.. options, "--numeric-owner", "-tvf", archive],
            new Dictionary<string, string?> { ["TZ"] = "UTC", ["LC_ALL"] = "C" });
        var lines = new List<TarListingLine>();
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = LineFormat().Match(line);
            Assert.True(m.Success, $"unexpected tar -tv line: {line}");
            var mode = m.Groups["mode"].Value;
            var name = m.Groups["name"].Value;
            string? link = null;
            var separator = mode[0] switch { 'l' => " -> ", 'h' => " link to ", _ => null };
            if (separator is not null)
            {
                var at = name.IndexOf(separator, StringComparison.Ordinal);
                link = name[(at + separator.Length)..];
                name = name[..at];
                if (mode[0] == 'h')
                {
                    link = Normalize(link);
                }
            }

            lines.Add(new TarListingLine(mode, int.Parse(m.Groups["uid"].Value), int.Parse(m.Groups["gid"].Value), long.Parse(m.Groups["size"].Value),
                m.Groups["time"].Value, Normalize(name), link));
        }

        return lines;
    }

    /// <summary>The file browser's type for a <c>tar -tv</c> line.</summary>
    public static string ExpectedType(TarListingLine line)
    {
        var name = line.Path[(line.Path.LastIndexOf('/') + 1)..];
        return name == ".wh..wh..opq" ? "opaque"
            : name.StartsWith(".wh.", StringComparison.Ordinal) ? "whiteout"
            : line.Mode[0] switch { 'd' => "dir", 'l' => "symlink", 'h' => "hardlink", '-' => "file", _ => "other" };
    }

    private static string Normalize(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        name = name.TrimStart('/').TrimEnd('/');
        return name is "" or "." ? "." : name;
    }

    private static Task ChmodAsync(string octal, string path) => ProcessRunner.RunCheckedAsync("chmod", [octal, path]);

    [GeneratedRegex(@"^(?<mode>\S{10}) (?<uid>\d+)/(?<gid>\d+)\s+(?<size>\d+) (?<time>\d{4}-\d\d-\d\d \d\d:\d\d) (?<name>.+)$")]
    private static partial Regex LineFormat();
}
