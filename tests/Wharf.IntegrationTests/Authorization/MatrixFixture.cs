using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// The repositories, users, policy and content the matrix runs against. Every byte is fixed, so pushing the fixture again
/// restores exactly what a delete removed.
/// </summary>
public static class MatrixFixture
{
    public const string Existing = "secret/app";
    public const string Public = "public/app";

    /// <summary>Holds the blob that mounts copy; the robot may not pull it.</summary>
    public const string MountSource = "secret/src";

    /// <summary>A namespace the reader, writer and deleter have rights in, where nothing is ever pushed.</summary>
    public const string MissingNamespace = "hollow";

    public const string Tag = "v1";
    public const string Password = "-password";

    public static readonly byte[] Config = TestBlobs.Config("authorization-matrix");
    public static readonly byte[] Layer = TarGz("etc/motd", "matrix\n");
    public static readonly byte[] Manifest = ManifestJson.Image(Descriptor.For(MediaTypes.OciConfig, Config), [Descriptor.For(MediaTypes.OciLayerGzip, Layer)]);
    public static readonly byte[] DoomedManifest = ManifestJson.Image(
        Descriptor.For(MediaTypes.OciConfig, Config), [Descriptor.For(MediaTypes.OciLayerGzip, Layer)], annotations: new Dictionary<string, string> { ["matrix"] = "doomed" });

    public static readonly byte[] DoomedBlob = TestBlobs.Text("a blob deleted and pushed again");
    public static readonly byte[] MountFromBlob = TestBlobs.Text("a blob mounted from secret/src");
    public static readonly byte[] MountAnywhereBlob = TestBlobs.Text("a blob mounted without from");
    public static readonly byte[] MonolithicBlob = TestBlobs.Text("a blob pushed in one POST");
    public static readonly byte[] Chunk = TestBlobs.Text("a blob pushed through a session");

    /// <summary>The users (name → groups), each with the password name + <see cref="Password"/>.</summary>
    public static readonly IReadOnlyDictionary<MatrixRole, string> Users = new Dictionary<MatrixRole, string>
    {
        [MatrixRole.Outsider] = "olga",
        [MatrixRole.Reader] = "rita",
        [MatrixRole.Writer] = "will",
        [MatrixRole.Deleter] = "dora",
        [MatrixRole.Admin] = "root",
        [MatrixRole.Removed] = "gone",
    };

    /// <summary>A user role's name and password.</summary>
    public static (string User, string Password) Login(MatrixRole role) => (Users[role], Users[role] + Password);

    public const string RobotName = "robot.ci";
    public const string RobotScope = "repository:" + Existing + ":pull,push";

    /// <summary>The repository a per-target row aims at; each row has missing repositories of its own, so one row's pushes never make another's exist.</summary>
    public static string Repository(MatrixTarget target, int row) => target switch
    {
        MatrixTarget.Existing => Existing,
        MatrixTarget.Public => Public,
        MatrixTarget.Foreign => MountSource,
        _ => $"secret/ghost-{row:D2}",
    };

    /// <summary>The namespace a per-target row about namespaces aims at: the missing one is empty.</summary>
    public static string Namespace(MatrixTarget target) => target switch
    {
        MatrixTarget.Existing or MatrixTarget.Foreign => "secret",
        MatrixTarget.Public => "public",
        _ => MissingNamespace,
    };

    /// <summary>The policy: rights on secret/**, hollow/** and public/** by rule; public/** pullable by everyone; root is admin.</summary>
    public static Dictionary<string, string?> Settings(string mode)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = mode,
            ["Auth:BcryptCost"] = "4",
            ["Auth:Admins:0"] = Users[MatrixRole.Admin],
            ["Auth:Anonymous:0:Repositories"] = "public/**",
            ["Auth:Anonymous:0:Actions:0"] = "pull",
            // The matrix signs in many times from one address; the throttle has tests of its own.
            ["Auth:Throttle:MaxFailures"] = "1000",
            ["Auth:Throttle:MaxFailuresPerAddress"] = "1000",
        };
        var rule = 0;
        foreach (var pattern in new[] { "secret/**", MissingNamespace + "/**", "public/**" })
        {
            foreach (var (user, actions) in new[] { ("rita", "pull"), ("will", "pull,push"), ("dora", "pull,delete"), ("gone", "pull,push") })
            {
                settings[$"Auth:Policies:{rule}:Repositories"] = pattern;
                settings[$"Auth:Policies:{rule}:Users:0"] = user;
                var index = 0;
                foreach (var action in actions.Split(','))
                {
                    settings[$"Auth:Policies:{rule}:Actions:{index++}"] = action;
                }

                rule++;
            }
        }

        return settings;
    }

    /// <summary>Pushes the fixture into <paramref name="repository"/> (tag v1, the doomed manifest and blob) as an admin.</summary>
    public static async Task SeedAsync(Registry admin, string repository)
    {
        await admin.PushBlobAsync(repository, Config);
        await admin.PushBlobAsync(repository, Layer);
        await admin.PushManifestAsync(repository, Tag, Manifest);
        await RestoreDoomedAsync(admin, repository);
        await admin.PushBlobAsync(repository, DoomedBlob);
    }

    public static Task RestoreDoomedAsync(Registry admin, string repository) => admin.PushManifestAsync(repository, "doomed", DoomedManifest);

    public static async Task UnlinkAsync(Registry admin, string repository, byte[] blob)
    {
        using var response = await admin.DeleteAsync($"/v2/{repository}/blobs/{Digests.Sha256(blob)}");
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NotFound, $"unlinking a blob answered {(int)response.StatusCode}");
    }

    /// <summary>A gzipped tar of one file, with fixed times, so its bytes (and digest) never change.</summary>
    private static byte[] TarGz(string path, string content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, path)
            {
                ModificationTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                DataStream = new MemoryStream(TestBlobs.Text(content)),
            };
            tar.WriteEntry(entry);
        }

        return output.ToArray();
    }
}
