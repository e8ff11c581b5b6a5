using System.Globalization;
using System.Net;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// <c>wharf import --from-distribution</c> on the storage directory of a real Distribution 2.8 (Debian
/// <c>docker-registry</c>) filled by skopeo and plain HTTP, stopped before the import, then everything pulled back from Wharf.
/// </summary>
public sealed class ImportCommandTests : IDisposable
{
    private static readonly Dictionary<string, string?> Local = new() { ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite" };
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-import-").FullName;
    private readonly Skopeo _skopeo = new();

    private string Registry2 => Path.Combine(_work, "registry2");

    private string Data => Path.Combine(_work, "wharf");

    /// <summary>Images (of several layers each) in the kill test; WHARF_TEST_IMPORT_KILL_IMAGES (CI: 24, 144 blobs).</summary>
    private static int KillImages =>
        int.TryParse(Environment.GetEnvironmentVariable("WHARF_TEST_IMPORT_KILL_IMAGES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 24;

    private static async Task<(int ExitCode, string Output)> ImportAsync(string from, string data, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var wharf = WharfProcess.Start(["import", "--from-distribution", from, "--data", data], environment);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exitCode, wharf.Output);
    }

    [Fact]
    public async Task Images_pushed_by_skopeo_to_registry2_come_over_byte_exact_as_hard_links_and_a_second_run_finds_nothing_new()
    {
        var single = OciLayoutBuilder.SingleArch(Path.Combine(_work, "single"), "import-single");
        var multi = OciLayoutBuilder.MultiArch(Path.Combine(_work, "multi"), "import-multi");
        var tool = OciLayoutBuilder.SingleArch(Path.Combine(_work, "tool"), "import-tool", "arm64");
        var doomed = OciLayoutBuilder.SingleArch(Path.Combine(_work, "doomed"), "import-doomed");
        (string Repository, string Tag, OciLayout Layout, string[] Options)[] kept =
        [
            ("shop/web", "1.0", single, []),
            ("shop/web", "latest", single, []),
            ("shop/multi", "v1", multi, ["--all"]),
            ("team/tools/cli", "2", tool, []),
            ("team", "base", tool, []),
            ("legacy/app", "v2s2", single, ["--format", "v2s2"]),
        ];
        var served = new Dictionary<string, ServedImage>();
        var raw = new Dictionary<string, string>();
        PushedManifest signature;
        Directory.CreateDirectory(Registry2);
        await using (var registry = await DistributionRegistry.StartAsync(Registry2))
        {
            foreach (var (repository, tag, layout, options) in kept)
            {
                await _skopeo.PushAsync(layout.SkopeoReference, $"{registry.Authority}/{repository}:{tag}", _work, options);
            }

            // A tag deleted through the API (skopeo deletes the manifest by digest, and Distribution its tags with it).
            await _skopeo.PushAsync(doomed.SkopeoReference, $"{registry.Authority}/shop/web:old", _work);
            await _skopeo.RunCheckedAsync("delete", "--tls-verify=false", $"docker://{registry.Authority}/shop/web:old");

            using var http = new HttpClient { BaseAddress = registry.BaseAddress };
            var subject = $$"""{"mediaType":"{{single.RootMediaType}}","digest":"{{single.RootDigest}}","size":{{single.RootBytes.Length}}}""";
            signature = await new StoreClient(http).PushImageAsync("shop/web", "sig", layers: 1, subject: subject, artifactType: "application/vnd.example.signature");

            using var reader = new RegistryHttp(registry.BaseAddress);
            foreach (var (repository, tag, _, _) in kept)
            {
                served[$"{repository}:{tag}"] = await reader.GetImageAsync(repository, tag);
                raw[$"{repository}:{tag}"] = (await _skopeo.InspectAsync($"{registry.Authority}/{repository}:{tag}", "--raw")).Stdout;
            }

            Assert.Equal(HttpStatusCode.NotFound, await reader.ManifestStatusAsync("shop/web", "old"));
        }

        var (exitCode, output) = await ImportAsync(Registry2, Data);
        Assert.True(exitCode == 0, output);
        Assert.Contains("repositories: 5", output, StringComparison.Ordinal);
        Assert.Contains(" 0 copied", output, StringComparison.Ordinal);
        Assert.Contains("import complete", output, StringComparison.Ordinal);
        Assert.DoesNotContain("problem", output, StringComparison.Ordinal);
        Assert.Contains($"skipped: manifest shop/web@{doomed.RootDigest}: its revision link is missing (the manifest was deleted)", output, StringComparison.Ordinal);

        var layer = Digest.Parse(single.Image.LayerDigests[0]);
        var distributionFile = Path.Combine(Registry2, "docker", "registry", "v2", "blobs", "sha256", layer.Encoded[..2], layer.Encoded, "data");
        Assert.Equal(await InodeAsync(distributionFile), await InodeAsync(Path.Combine(Data, StorageLayout.Blob(layer))));

        var (again, againOutput) = await ImportAsync(Registry2, Data);
        Assert.True(again == 0, againOutput);
        Assert.Contains("blobs: 0 placed", againOutput, StringComparison.Ordinal);
        Assert.Contains("manifests: 0 stored", againOutput, StringComparison.Ordinal);
        Assert.Contains("tags: 0 set", againOutput, StringComparison.Ordinal);
        Assert.Contains("import complete: nothing new", againOutput, StringComparison.Ordinal);

        await using var server = await WharfTestServer.StartAsync(Local, dataDirectory: Data);
        using var wharf = new RegistryHttp(server.BaseAddress);
        foreach (var (repository, tag, layout, _) in kept)
        {
            var reference = $"{repository}:{tag}";
            var image = await wharf.GetImageAsync(repository, tag);
            Assert.Equal(served[reference].Root.Bytes, image.Root.Bytes);
            Assert.Equal(served[reference].Root.ContentType, image.Root.ContentType);
            Assert.Equal(served[reference].AllDigests.Order(), image.AllDigests.Order());
            Assert.Equal(raw[reference], (await _skopeo.InspectAsync($"{server.Authority}/{reference}", "--raw")).Stdout);
            if (tag != "v2s2")
            {
                ImageAssert.ServedEqualsLayout(layout, image);
            }
        }

        var pulled = Path.Combine(_work, "pulled");
        await _skopeo.CopyAsync($"docker://{server.Authority}/shop/multi:v1", $"oci:{pulled}:v1", "--all");
        ImageAssert.LayoutEqualsLayout(multi, OciLayoutReader.Read(pulled, "v1"));

        Assert.Equal(["1.0", "latest", "sig"], await wharf.ListTagsAsync("shop/web"));
        Assert.Equal(HttpStatusCode.NotFound, await wharf.ManifestStatusAsync("shop/web", "old"));
        Assert.Equal(HttpStatusCode.NotFound, await wharf.ManifestStatusAsync("shop/web", doomed.RootDigest));
        using var referrers = await server.Client.GetAsync(new Uri($"/v2/shop/web/referrers/{single.RootDigest}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, referrers.StatusCode);
        Assert.Contains(signature.Digest, await referrers.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var catalog = await server.Client.GetStringAsync(new Uri("/v2/_catalog", UriKind.Relative));
        Assert.Equal("""{"repositories":["legacy/app","shop/multi","shop/web","team","team/tools/cli"]}""", catalog.Trim());
    }

    [Fact]
    public async Task An_import_killed_twice_midway_completes_on_the_next_run_and_every_image_pulls_back_exact()
    {
        var images = new List<PushedManifest>();
        Directory.CreateDirectory(Registry2);
        await using (var registry = await DistributionRegistry.StartAsync(Registry2))
        {
            using var http = new HttpClient { BaseAddress = registry.BaseAddress };
            var client = new StoreClient(http);
            // Four repositories pushed at once: Distribution answers slowly, one request at a time.
            var repositories = await Task.WhenAll(Enumerable.Range(0, 4).Select(async r =>
            {
                var pushed = new List<PushedManifest>();
                for (var i = r; i < KillImages; i += 4)
                {
                    pushed.Add(await client.PushImageAsync($"bulk/app{r}", $"v{i}", layers: 5));
                }

                return pushed;
            }));
            images.AddRange(repositories.SelectMany(r => r));
        }

        var total = images.Sum(i => i.Blobs.Count);
        // Each run is killed as soon as it is seen to have placed a blob of its own (a tenth of them, the first time):
        // a fixed share of the total raced a process that starts working sooner, which could finish in between.
        var placed = 0;
        foreach (var share in new[] { 0.1, 0.0 })
        {
            var target = Math.Max(placed + 1, (int)(total * share));
            await using var import = WharfProcess.Start(["import", "--from-distribution", Registry2, "--data", Data]);
            await import.KillWhenAsync(() => BlobFiles() >= target);
            placed = BlobFiles();
        }

        Assert.True(BlobFiles() < total, $"the import finished before the second kill ({BlobFiles()} of {total} blobs): it was not killed midway");
        var (exitCode, output) = await ImportAsync(Registry2, Data);
        Assert.True(exitCode == 0, output);
        Assert.Contains("import complete", output, StringComparison.Ordinal);
        Assert.Contains($"manifests: {KillImages - ManifestsBefore(output)} stored", output, StringComparison.Ordinal);

        var (again, againOutput) = await ImportAsync(Registry2, Data);
        Assert.True(again == 0 && againOutput.Contains("import complete: nothing new", StringComparison.Ordinal), againOutput);
        await using (var check = WharfProcess.Start(["check", "--data", Data]))
        {
            Assert.True(await check.WaitForExitAsync(TimeSpan.FromSeconds(120)) == 0, check.Output);
        }

        await using var server = await WharfTestServer.StartAsync(Local, dataDirectory: Data);
        var pulls = new StoreClient(server.Client);
        foreach (var image in images)
        {
            await pulls.AssertPullsExactlyAsync(image);
        }
    }

    [Fact]
    public async Task On_s3_and_postgresql_blobs_are_copied_through_the_push_path_and_referrers_work()
    {
        PushedManifest amd64, arm64, index, signature;
        Directory.CreateDirectory(Registry2);
        await using (var registry = await DistributionRegistry.StartAsync(Registry2))
        {
            using var http = new HttpClient { BaseAddress = registry.BaseAddress };
            var client = new StoreClient(http);
            amd64 = await client.PushImageAsync("apps/multi", "amd64", layers: 2);
            arm64 = await client.PushImageAsync("apps/multi", "arm64", layers: 2);
            index = await client.PushIndexAsync("apps/multi", "latest", [(amd64, "amd64"), (arm64, "arm64")]);
            var subject = $$"""{"mediaType":"{{StoreClient.ImageManifest}}","digest":"{{amd64.Digest}}","size":{{amd64.Manifest.Length}}}""";
            signature = await client.PushImageAsync("apps/multi", "amd64-sig", layers: 1, subject: subject, artifactType: "application/vnd.example.signature");
        }

        await using var store = await StoreUnderTest.StartAsync(scaleOut: true);
        var (exitCode, output) = await store.RunAsync("import", "--from-distribution", Registry2);
        Assert.True(exitCode == 0, output);
        Assert.Contains("blobs: 8 placed (0 hard-linked, 8 copied", output, StringComparison.Ordinal);
        Assert.Contains("manifests: 4 stored", output, StringComparison.Ordinal);
        Assert.Contains("tags: 4 set", output, StringComparison.Ordinal);

        foreach (var image in (PushedManifest[])[amd64, arm64, index, signature])
        {
            await store.Client.AssertPullsExactlyAsync(image);
        }

        using var referrers = await store.Server.Client.GetAsync(new Uri($"/v2/apps/multi/referrers/{amd64.Digest}", UriKind.Relative));
        Assert.Contains(signature.Digest, await referrers.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (again, againOutput) = await store.RunAsync("import", "--from-distribution", Registry2);
        Assert.True(again == 0 && againOutput.Contains("import complete: nothing new", StringComparison.Ordinal), againOutput);
    }

    [Fact]
    public async Task Leftovers_are_skipped_with_their_reason_a_corrupt_blob_fails_the_import_a_store_on_another_file_system_gets_copies_and_a_wrong_directory_exits_2()
    {
        PushedManifest good, corrupt, orphaned;
        Directory.CreateDirectory(Registry2);
        await using (var registry = await DistributionRegistry.StartAsync(Registry2))
        {
            using var http = new HttpClient { BaseAddress = registry.BaseAddress };
            var client = new StoreClient(http);
            good = await client.PushImageAsync("shop/good", "1", layers: 1);
            corrupt = await client.PushImageAsync("shop/bad", "1", layers: 1);
            orphaned = await client.PushImageAsync("shop/orphan", "1", layers: 1);
        }

        var v2 = Path.Combine(Registry2, "docker", "registry", "v2");
        string BlobData(string digest) => Path.Combine(v2, "blobs", "sha256", digest[7..9], digest[7..], "data");
        var corruptLayer = corrupt.Blobs.Keys.Single(d => corrupt.Blobs[d].Length >= 1000);
        var bytes = await File.ReadAllBytesAsync(BlobData(corruptLayer));
        bytes[0] ^= 0xFF;
        await File.WriteAllBytesAsync(BlobData(corruptLayer), bytes);
        File.Delete(BlobData(orphaned.Digest)); // the revision link stays, its manifest blob is gone
        Directory.Delete(Path.Combine(v2, "repositories", "shop", "good", "_manifests", "tags", "1", "current"), recursive: true);

        // /dev/shm is another file system than the temp directory: no hard link is possible.
        var data = Directory.CreateTempSubdirectory("wharf-import-shm-").FullName;
        var onShm = Path.Combine("/dev/shm", Path.GetFileName(data));
        Directory.Delete(data);
        Directory.CreateDirectory(onShm);
        try
        {
            var (exitCode, output) = await ImportAsync(Registry2, onShm);
            Assert.True(exitCode == 1, output);
            Assert.Contains("0 hard-linked", output, StringComparison.Ordinal);
            Assert.Contains($"skipped (problem): blob {corruptLayer} in shop/bad:", output, StringComparison.Ordinal);
            Assert.Contains($"skipped (problem): manifest shop/bad@{corrupt.Digest}:", output, StringComparison.Ordinal);
            Assert.Contains($"skipped: manifest shop/orphan@{orphaned.Digest}: its revision link remains but the manifest's blob is missing", output, StringComparison.Ordinal);
            Assert.Contains("skipped: tag shop/good:1: it has no current link", output, StringComparison.Ordinal);
            Assert.Contains("import INCOMPLETE: 3 problem(s)", output, StringComparison.Ordinal);

            var (notRegistry2, notOutput) = await ImportAsync(Path.Combine(_work, "nothing-here"), onShm);
            Assert.True(notRegistry2 == 2, notOutput);
            Assert.Contains("is not a Distribution storage directory", notOutput, StringComparison.Ordinal);

            await using var server = await WharfTestServer.StartAsync(Local, dataDirectory: onShm);
            var pulls = new StoreClient(server.Client);
            var untagged = good with { Tag = good.Digest };
            await pulls.AssertPullsExactlyAsync(untagged);
            Assert.Equal(HttpStatusCode.NotFound, await new RegistryHttp(server.BaseAddress).ManifestStatusAsync("shop/good", "1"));
            Assert.Equal(HttpStatusCode.NotFound, await pulls.BlobStatusAsync("shop/bad", corruptLayer));
        }
        finally
        {
            Directory.Delete(onShm, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>How many manifests the killed runs had stored, read from the rerun's "already present" count.</summary>
    private static int ManifestsBefore(string output)
    {
        var line = output.Split('\n').Single(l => l.StartsWith("manifests:", StringComparison.Ordinal));
        var present = line[(line.IndexOf(", ", StringComparison.Ordinal) + 2)..].Split(' ')[0];
        return int.Parse(present, CultureInfo.InvariantCulture);
    }

    private int BlobFiles()
    {
        var root = Path.Combine(Data, StorageLayout.BlobsRoot);
        return Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Count() : 0;
    }

    private static async Task<string> InodeAsync(string path) =>
        (await ProcessRunner.RunCheckedAsync("stat", ["-c", "%i", path])).Stdout.Trim();
}
