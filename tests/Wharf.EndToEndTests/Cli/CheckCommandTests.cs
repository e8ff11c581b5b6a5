using System.Net;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf check</c> on the filesystem + SQLite, run beside a serving registry.</summary>
public sealed class CheckCommandTests : CheckCommandContract
{
    protected override bool ScaleOut => false;

    [Fact]
    public async Task A_data_directory_without_a_metadata_store_is_an_error_not_an_empty_store_in_order()
    {
        var nowhere = Path.Combine(Path.GetTempPath(), "wharf-nowhere-" + Guid.NewGuid().ToString("N"));
        await using var wharf = WharfProcess.Start(["check", "--data", nowhere]);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 2, wharf.Output);
        Assert.Contains("No metadata store at", wharf.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(nowhere));
    }
}

/// <summary><c>wharf check</c> on S3 + PostgreSQL, run beside a serving registry.</summary>
[Trait("Category", "ScaleOut")]
public sealed class ScaleOutCheckCommandTests : CheckCommandContract
{
    protected override bool ScaleOut => true;
}

/// <summary>What <c>wharf check</c> must find, say and repair, whatever the drivers.</summary>
public abstract class CheckCommandContract
{
    protected abstract bool ScaleOut { get; }

    [Fact]
    public async Task A_clean_store_passes_and_each_kind_of_damage_is_named_with_a_non_zero_exit()
    {
        await using var store = await StoreUnderTest.StartAsync(ScaleOut);
        var app = await store.Client.PushImageAsync("team/app", "v1", layers: 3);
        var tools = await store.Client.PushImageAsync("team/tools", "v1", layers: 2);

        var (clean, cleanOutput) = await store.RunAsync("check");
        Assert.True(clean == 0, cleanOutput);
        Assert.Contains("verified 7 blobs", cleanOutput, StringComparison.Ordinal);
        Assert.Contains("checking 7 blobs", cleanOutput, StringComparison.Ordinal); // progress as plain lines: stderr is no terminal here
        Assert.DoesNotContain('\r', cleanOutput);
        Assert.Contains("no problems found", cleanOutput, StringComparison.Ordinal);

        var appLayers = app.Blobs.Keys.Where(d => app.Blobs[d].Length >= 1000).ToList();
        var toolsLayers = tools.Blobs.Keys.Where(d => tools.Blobs[d].Length >= 1000).ToList();
        var toolsConfig = tools.Blobs.Keys.Single(d => tools.Blobs[d].Length < 1000);
        await store.TruncateBlobAsync(appLayers[0]);
        await store.FlipByteOfBlobAsync(appLayers[1]);
        await store.DeleteBlobAsync(toolsConfig);
        await store.UnlinkInDatabaseAsync("team/tools", toolsLayers[0]);

        var (damaged, output) = await store.RunAsync("check");
        Assert.True(damaged == 1, output);
        Assert.Contains($"problem: team/app blob {appLayers[0]}: wrong size: storage holds {app.Blobs[appLayers[0]].Length / 2} bytes", output, StringComparison.Ordinal);
        Assert.Contains($"problem: team/app blob {appLayers[1]}: wrong digest: the stored bytes hash to sha256:", output, StringComparison.Ordinal);
        Assert.Contains($"problem: team/tools blob {toolsConfig}: missing from storage", output, StringComparison.Ordinal);
        Assert.Contains($"problem: team/tools {tools.Digest}: refers to blob {toolsLayers[0]}, which the repository does not hold", output, StringComparison.Ordinal);
        Assert.Contains("4 problem(s) found", output, StringComparison.Ordinal);
        Assert.DoesNotContain(appLayers[2], output, StringComparison.Ordinal);

        // Nothing was repaired: without --repair the check only reads.
        Assert.NotNull(await store.Storage.StatAsync(StorageLayout.Blob(Digest.Parse(appLayers[1])), CancellationToken.None));
    }

    [Fact]
    public async Task A_tag_or_index_entry_whose_manifest_is_gone_is_a_problem()
    {
        await using var store = await StoreUnderTest.StartAsync(ScaleOut);
        var amd64 = await store.Client.PushImageAsync("team/multi", "amd64");
        var arm64 = await store.Client.PushImageAsync("team/multi", "arm64");
        var index = await store.Client.PushIndexAsync("team/multi", "latest", [(amd64, "amd64"), (arm64, "arm64")]);
        Assert.True((await store.RunAsync("check")).ExitCode == 0);

        var database = (Wharf.Metadata.SqlDatabase)store.Server.Services.GetService(typeof(Wharf.Metadata.SqlDatabase))!;
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = Wharf.Metadata.SqlCommands.With(
                Wharf.Metadata.SqlCommands.Command(connection, "DELETE FROM manifests WHERE digest = @d", transaction), "@d", arm64.Digest);
            return await command.ExecuteNonQueryAsync();
        }, CancellationToken.None);

        var (exitCode, output) = await store.RunAsync("check");
        Assert.True(exitCode == 1, output);
        Assert.Contains($"problem: team/multi {index.Digest}: refers to manifest {arm64.Digest}, which the repository does not hold", output, StringComparison.Ordinal);
        Assert.Contains($"problem: team/multi tag:arm64: points to manifest {arm64.Digest}, which the repository does not hold", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_verifies_only_the_asked_number_or_share_of_blobs()
    {
        await using var store = await StoreUnderTest.StartAsync(ScaleOut);
        var image = await store.Client.PushImageAsync("team/sampled", "v1", layers: 5);

        var (two, twoOutput) = await store.RunAsync("check", "--sample", "2");
        Assert.True(two == 0, twoOutput);
        Assert.Contains("verified a random sample of 2 of 6 blobs", twoOutput, StringComparison.Ordinal);

        var (half, halfOutput) = await store.RunAsync("check", "--sample", "50%");
        Assert.True(half == 0, halfOutput);
        Assert.Contains("verified a random sample of 3 of 6 blobs", halfOutput, StringComparison.Ordinal);

        var broken = image.Blobs.Keys.First(d => image.Blobs[d].Length >= 1000);
        await store.FlipByteOfBlobAsync(broken);
        var (all, allOutput) = await store.RunAsync("check", "--sample", "100%");
        Assert.True(all == 1, allOutput);
        Assert.Contains($"blob {broken}: wrong digest", allOutput, StringComparison.Ordinal);

        var (bad, badOutput) = await store.RunAsync("check", "--sample", "0");
        Assert.True(bad == 2, badOutput);
        Assert.Contains("--sample takes a count", badOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repair_quarantines_corrupt_blobs_so_pulls_answer_blob_unknown_until_the_blob_is_pushed_again()
    {
        await using var store = await StoreUnderTest.StartAsync(ScaleOut);
        var image = await store.Client.PushImageAsync("team/heal", "v1", layers: 3);
        var layers = image.Blobs.Keys.Where(d => image.Blobs[d].Length >= 1000).ToList();
        var (flipped, truncated, missing) = (layers[0], layers[1], layers[2]);
        await store.FlipByteOfBlobAsync(flipped);
        await store.TruncateBlobAsync(truncated);
        await store.DeleteBlobAsync(missing);

        // Before the repair the registry serves the corrupt bytes: what the quarantine is for.
        var (before, beforeBody, _) = await store.Client.GetBlobAsync("team/heal", flipped);
        Assert.Equal(HttpStatusCode.OK, before);
        Assert.NotEqual(image.Blobs[flipped], beforeBody);

        var (exitCode, output) = await store.RunAsync("check", "--repair");
        Assert.True(exitCode == 1, output);
        Assert.Contains($"blob {flipped}: wrong digest: the stored bytes hash to", output, StringComparison.Ordinal);
        Assert.Contains($"quarantined to quarantine/sha256/{flipped[7..9]}/{flipped[7..]}", output, StringComparison.Ordinal);
        Assert.Contains("2 corrupt blob(s) quarantined", output, StringComparison.Ordinal);
        Assert.Contains($"blob {missing}: missing from storage", output, StringComparison.Ordinal);

        foreach (var digest in (string[])[flipped, truncated, missing])
        {
            var (status, _, code) = await store.Client.GetBlobAsync("team/heal", digest);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("BLOB_UNKNOWN", code);
            Assert.Equal(HttpStatusCode.NotFound, await store.Client.BlobStatusAsync("team/heal", digest));
        }

        Assert.Equal(image.Blobs[flipped].Length, (await store.Storage.StatAsync(StorageLayout.QuarantinedBlob(Digest.Parse(flipped)), CancellationToken.None))?.Size);
        Assert.Null(await store.Storage.StatAsync(StorageLayout.Blob(Digest.Parse(flipped)), CancellationToken.None));

        // A manifest naming a quarantined blob is refused until the blob is pushed again, and a mount of it uploads instead.
        using (var refused = await store.Client.PutManifestAsync("team/heal", "again", image.Manifest, StoreClient.ImageManifest))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("MANIFEST_BLOB_UNKNOWN", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var mount = await store.Server.Client.PostAsync(new Uri($"/v2/team/heal/blobs/uploads/?mount={flipped}&from=team/heal", UriKind.Relative), new ByteArrayContent([])))
        {
            Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        }

        foreach (var digest in (string[])[flipped, truncated, missing])
        {
            await store.Client.PushBlobAsync("team/heal", image.Blobs[digest]);
        }

        await store.Client.AssertPullsExactlyAsync(image);
        using (var accepted = await store.Client.PutManifestAsync("team/heal", "again", image.Manifest, StoreClient.ImageManifest))
        {
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        var (healed, healedOutput) = await store.RunAsync("check");
        Assert.True(healed == 0, healedOutput);
    }
}
