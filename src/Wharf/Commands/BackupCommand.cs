using System.CommandLine;
using Wharf.Backup;
using Wharf.Core.Metadata;
using Wharf.Core.Storage;
using Wharf.Hosting;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf backup DEST</c>: while the registry serves, a consistent snapshot of the SQLite metadata (SQLite's online
/// backup API), <c>backup.json</c> listing the blobs it records, and, with the filesystem driver, those blobs' files under
/// <c>DEST/blobs/…</c> (hard links on the same file system, copies otherwise; files already there are kept). Run it again
/// into the same DEST to refresh it incrementally. Exit code 0 when DEST is complete, 1 otherwise.
/// </summary>
public static class BackupCommand
{
    private const int PageSize = 1000;

    public static Command Create()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var destination = new Argument<string>("DEST") { Description = "The backup directory (created when missing; an earlier backup there is refreshed)" };
        var command = new Command("backup", "Back up the metadata (and, with the filesystem driver, the blobs) while the registry serves") { destination, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            var (directory, storage, metadata) = ConfiguredStores.Read(parse.GetValue(config), parse.GetValue(data));
            if (metadata.Driver != MetadataDriverKind.Sqlite)
            {
                Console.Error.WriteLine(PostgreSqlAdvice);
                return 1;
            }

            var live = ConfiguredStores.SqliteFile(directory);
            if (!File.Exists(live))
            {
                return UserCommand.Fail($"no metadata store at {live} (is --data right?)");
            }

            var target = Path.GetFullPath(parse.GetValue(destination)!);
            Directory.CreateDirectory(target);
            var snapshot = Path.Combine(target, BackupManifest.MetadataFileName);
            SqliteSnapshot.Take(live, snapshot);
            var (blobs, counts) = await ReadSnapshotAsync(snapshot, ct);
            Console.WriteLine($"metadata: {counts.Repositories} repositories, {counts.Manifests} manifests, {counts.Tags} tags, {counts.Blobs} blobs -> {snapshot}");

            var incomplete = 0;
            if (storage.Driver == StorageDriverKind.FileSystem)
            {
                await using var services = RegistryServices.Open(parse.GetValue(config), parse.GetValue(data));
                incomplete = await CopyBlobsAsync(services.GetRequiredService<IStorageDriver>(), blobs, target, ct);
            }
            else
            {
                Console.WriteLine("blobs: they stay in the S3 bucket; copy the bucket after this backup (see the README, \"Backup and restore\")");
            }

            await new BackupManifest(BackupManifest.CurrentFormat, TimeProvider.System.GetUtcNow(), BackupManifest.MetadataFileName, blobs).WriteAsync(target, ct);
            if (incomplete > 0)
            {
                Console.WriteLine($"backup in {target} is INCOMPLETE: {incomplete} blob(s) could not be backed up (run `wharf check`)");
                return 1;
            }

            Console.WriteLine($"backup complete in {target}");
            return 0;
        }));
        return command;
    }

    public const string PostgreSqlAdvice = """
        error: wharf backup handles the SQLite metadata store only; this configuration uses PostgreSQL.
        Back up PostgreSQL + S3 in this order (blobs are immutable and content-addressed):
          1. dump the metadata first:  pg_dump --format=custom --file=wharf-metadata.dump "$CONNECTION_STRING"
                                       (add --schema=NAME when Metadata:PostgreSql:Schema is not public)
          2. then copy the bucket:     e.g. aws s3 sync s3://BUCKET s3://BACKUP-BUCKET (or rclone sync)
        Garbage collection's grace period must exceed the time between the dump and the end of the bucket copy.
        To restore: the bucket first, then pg_restore the metadata, then run `wharf check`. See the README, "Backup and restore".
        """;

    /// <summary>The snapshot's blob records (in digest order) and counts, read from the copy, never from the live database.</summary>
    private static async Task<(List<BlobInfo> Blobs, MetadataCounts Counts)> ReadSnapshotAsync(string snapshot, CancellationToken cancellationToken)
    {
        using var database = new SqliteDatabase(snapshot);
        var inventory = new SqlMetadataInventory(database);
        var blobs = new List<BlobInfo>();
        string? after = null;
        while (true)
        {
            var page = await inventory.ListBlobsAsync(after, PageSize, cancellationToken);
            blobs.AddRange(page);
            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Digest.Value;
        }

        return (blobs, await inventory.CountAsync(cancellationToken));
    }

    /// <summary>Places each blob's file under the backup; returns how many could not be (missing or damaged at the source).</summary>
    /// <remarks>A blob kept in the database (no local file) is written out as a file, so the backup's blobs are all files.</remarks>
    private static async Task<int> CopyBlobsAsync(IStorageDriver storage, List<BlobInfo> blobs, string target, CancellationToken cancellationToken)
    {
        var tally = new Dictionary<BlobFileOutcome, int>();
        foreach (var blob in blobs)
        {
            var path = StorageLayout.Blob(blob.Digest);
            var outcome = (await storage.StatAsync(path, cancellationToken))?.LocalPath is { } local
                ? BlobFiles.LinkOrCopy(blob, local, Path.Combine(target, path))
                : await BlobFiles.WriteAsync(blob, () => ReadWholeAsync(storage, path, cancellationToken), Path.Combine(target, path), cancellationToken);
            tally[outcome] = tally.GetValueOrDefault(outcome) + 1;
            if (outcome is BlobFileOutcome.SourceMissing or BlobFileOutcome.WrongSize)
            {
                Console.WriteLine($"problem: blob {blob.Digest}: {(outcome == BlobFileOutcome.SourceMissing ? "missing from storage" : "stored with the wrong size")}; not backed up");
            }
        }

        Console.WriteLine($"blobs: {tally.GetValueOrDefault(BlobFileOutcome.Linked)} linked, {tally.GetValueOrDefault(BlobFileOutcome.Copied)} copied, "
            + $"{tally.GetValueOrDefault(BlobFileOutcome.Written)} written from the database, {tally.GetValueOrDefault(BlobFileOutcome.AlreadyPresent)} already present, "
            + $"{tally.GetValueOrDefault(BlobFileOutcome.SourceMissing) + tally.GetValueOrDefault(BlobFileOutcome.WrongSize)} not backed up");
        return tally.GetValueOrDefault(BlobFileOutcome.SourceMissing) + tally.GetValueOrDefault(BlobFileOutcome.WrongSize);
    }

    private static async Task<byte[]?> ReadWholeAsync(IStorageDriver storage, string path, CancellationToken cancellationToken)
    {
        await using var stream = await storage.OpenReadAsync(path, 0, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}
