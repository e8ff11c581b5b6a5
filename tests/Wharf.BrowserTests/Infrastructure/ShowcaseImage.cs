using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.BrowserTests.Infrastructure;

/// <summary>
/// An image shaped like one a Dockerfile builds, so the image page and the file browser have something to show:
/// a base layer with directories, an executable, symlinks and a hard link; an app layer with a whiteout and an
/// opaque directory; and a config with entrypoint, cmd, env, ports, labels and empty history steps.
/// </summary>
public static class ShowcaseImage
{
    private static readonly DateTimeOffset Built = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public const string AppServer = "app/server";

    public static OciImage Create()
    {
        var busybox = Deterministic("busybox", 40_000);
        var baseLayer = Layer(writer =>
        {
            Directory(writer, "bin/");
            File(writer, "bin/busybox", busybox, Executable);
            Symlink(writer, "bin/sh", "busybox");
            Symlink(writer, "bin/ls", "busybox");
            Directory(writer, "etc/");
            File(writer, "etc/motd", Encoding.UTF8.GetBytes("Welcome to the Wharf showcase image\n"));
            File(writer, "etc/os-release", Encoding.UTF8.GetBytes("NAME=\"Showcase Linux\"\nVERSION_ID=1\n"));
            Directory(writer, "usr/");
            Directory(writer, "usr/bin/");
            Hardlink(writer, "usr/bin/busybox", "bin/busybox");
            Directory(writer, "usr/lib/");
            File(writer, "usr/lib/libshowcase.so.1", Deterministic("lib", 12_000));
            Directory(writer, "usr/share/");
            Directory(writer, "usr/share/doc/");
            File(writer, "usr/share/doc/README", Encoding.UTF8.GetBytes("Showcase Linux documentation.\n"));
        });
        var appLayer = Layer(writer =>
        {
            Directory(writer, "app/");
            File(writer, AppServer, Deterministic("server", 150_000), Executable);
            File(writer, "app/config.yaml", Encoding.UTF8.GetBytes("port: 8080\nlog: info\n"));
            Directory(writer, "etc/");
            File(writer, "etc/.wh.motd", []);
            Directory(writer, "usr/");
            Directory(writer, "usr/lib/");
            File(writer, "usr/lib/.wh..wh..opq", []);
            Directory(writer, "var/");
            Directory(writer, "var/log/");
        });
        OciLayer[] layers = [baseLayer, appLayer];
        var config = Config([.. layers.Select(l => l.DiffId)]);
        var configDescriptor = new OciDescriptor(OciLayoutMediaTypes.OciConfig, OciLayoutDigests.Sha256(config), config.Length);
        var manifest = OciLayoutJson.Manifest(configDescriptor, [.. layers.Select(l => l.Descriptor)]);
        return new OciImage("amd64", "linux", manifest, config, layers);
    }

    /// <summary>
    /// An image of one layer of over 5,000 entries: <c>big/</c> with <paramref name="bigFiles"/> files, its sibling
    /// <c>deep/</c> with ten nested levels of 250 files each, and <c>implied/x/y/z.txt</c> and <c>implied/x/w.txt</c>
    /// with none of their directories in the archive.
    /// </summary>
    public static OciImage CreateLargeTree(int bigFiles = 3000)
    {
        var layer = Layer(writer =>
        {
            Directory(writer, "big/");
            for (var i = 0; i < bigFiles; i++)
            {
                File(writer, $"big/f{i:D4}", []);
            }

            var deep = "deep";
            Directory(writer, "deep/");
            for (var level = 0; level < 10; level++)
            {
                deep += $"/d{level}";
                Directory(writer, deep + "/");
                for (var i = 0; i < 250; i++)
                {
                    File(writer, $"{deep}/file{i:D3}", []);
                }
            }

            File(writer, "implied/x/y/z.txt", Encoding.UTF8.GetBytes("z\n"));
            File(writer, "implied/x/w.txt", Encoding.UTF8.GetBytes("w\n"));
        });
        var config = Config([layer.DiffId]);
        var configDescriptor = new OciDescriptor(OciLayoutMediaTypes.OciConfig, OciLayoutDigests.Sha256(config), config.Length);
        var manifest = OciLayoutJson.Manifest(configDescriptor, [layer.Descriptor]);
        return new OciImage("amd64", "linux", manifest, config, [layer]);
    }

    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static byte[] Config(IReadOnlyList<string> diffIds)
    {
        var config = new
        {
            created = Built.UtcDateTime,
            author = "Wharf browser tests",
            architecture = "amd64",
            os = "linux",
            config = new Dictionary<string, object>
            {
                ["User"] = "1000:1000",
                ["Env"] = new[] { "PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=production" },
                ["Entrypoint"] = new[] { "/app/server" },
                ["Cmd"] = new[] { "--port", "8080" },
                ["WorkingDir"] = "/app",
                ["ExposedPorts"] = new Dictionary<string, object> { ["8080/tcp"] = new { } },
                ["Labels"] = new Dictionary<string, string>
                {
                    ["org.opencontainers.image.source"] = "https://git.example/team/app",
                    ["org.opencontainers.image.version"] = "2.0.0",
                },
            },
            rootfs = new { type = "layers", diff_ids = diffIds },
            history = new object[]
            {
                new { created = Built.UtcDateTime, created_by = "/bin/sh -c #(nop) ADD file:3c2bd8e5 in / " },
                new { created = Built.UtcDateTime, created_by = "ENV APP_ENV=production", empty_layer = true },
                new { created = Built.UtcDateTime, created_by = "COPY app/ /app/ # buildkit", comment = "buildkit.dockerfile.v0" },
                new { created = Built.UtcDateTime, created_by = "EXPOSE map[8080/tcp:{}]", empty_layer = true },
                new { created = Built.UtcDateTime, created_by = "ENTRYPOINT [\"/app/server\"]", empty_layer = true },
                new { created = Built.UtcDateTime, created_by = "CMD [\"--port\" \"8080\"]", empty_layer = true },
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(config);
    }

    private static OciLayer Layer(Action<TarWriter> write)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }

        var bytes = tar.ToArray();
        var compressed = OciLayoutLayerTar.Gzip(bytes);
        return new OciLayer(compressed, OciLayoutDigests.Sha256(compressed), OciLayoutDigests.Sha256(bytes), new Dictionary<string, byte[]>());
    }

    private static void Directory(TarWriter writer, string path) =>
        writer.WriteEntry(Entry(TarEntryType.Directory, path, Executable));

    private static void File(TarWriter writer, string path, byte[] content, UnixFileMode mode = Readable)
    {
        var entry = Entry(TarEntryType.RegularFile, path, mode);
        entry.DataStream = new MemoryStream(content, writable: false);
        writer.WriteEntry(entry);
    }

    private static void Symlink(TarWriter writer, string path, string target)
    {
        var entry = Entry(TarEntryType.SymbolicLink, path, Executable | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        entry.LinkName = target;
        writer.WriteEntry(entry);
    }

    private static void Hardlink(TarWriter writer, string path, string target)
    {
        var entry = Entry(TarEntryType.HardLink, path, Executable);
        entry.LinkName = target;
        writer.WriteEntry(entry);
    }

    private static PaxTarEntry Entry(TarEntryType type, string path, UnixFileMode mode) => new(type, path)
    {
        ModificationTime = Built,
        Mode = mode,
        Uid = 0,
        Gid = 0,
    };

    /// <summary>Bytes that look random (so they do not compress away) and are the same every run.</summary>
    private static byte[] Deterministic(string seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed.Aggregate(17, (hash, c) => (hash * 31) + c)).NextBytes(bytes);
        return bytes;
    }
}
