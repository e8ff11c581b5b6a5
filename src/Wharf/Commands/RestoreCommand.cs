using System.CommandLine;
using Wharf.Backup;
using Wharf.Core.Storage;
using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf restore SRC --data DIR</c>: puts a backup made by <c>wharf backup</c> into a data directory (filesystem
/// driver and SQLite; the server must not be running on it): the blob files first, each checked for size and (unless
/// <c>--no-verify</c>) digest as it is copied, then the metadata. Refuses a metadata store that holds data unless
/// <c>--force</c>. Exit code 0 when everything was restored, 1 when blobs are missing or damaged or it refused.
/// </summary>
public static class RestoreCommand
{
    public static Command Create()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var source = new Argument<string>("SRC") { Description = "A directory written by `wharf backup`" };
        var force = new Option<bool>("--force") { Description = "Replace a metadata store that already holds repositories, blobs or users" };
        var noVerify = new Option<bool>("--no-verify") { Description = "Check only the sizes of the restored blobs, not their digests (faster)" };
        var command = new Command("restore", "Restore a backup made by `wharf backup` into a data directory (stop the server first)")
        {
            source, force, noVerify, data, config,
        };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            var (directory, storage, metadata) = ConfiguredStores.Read(parse.GetValue(config), parse.GetValue(data));
            if (storage.Driver != StorageDriverKind.FileSystem || metadata.Driver != MetadataDriverKind.Sqlite)
            {
                return UserCommand.Fail("wharf restore restores into the filesystem driver with SQLite; for S3 + PostgreSQL restore the bucket, then pg_restore the metadata, then run `wharf check` (see the README, \"Backup and restore\")");
            }

            var from = Path.GetFullPath(parse.GetValue(source)!);
            BackupManifest manifest;
            try
            {
                manifest = await BackupManifest.ReadAsync(from, ct);
            }
            catch (InvalidDataException e)
            {
                return UserCommand.Fail(e.Message);
            }

            var target = ConfiguredStores.SqliteFile(directory);
            if (SqliteSnapshot.HoldsData(target) && !parse.GetValue(force))
            {
                return UserCommand.Fail($"{target} already holds repositories, blobs or users; restore would replace them (add --force to do so)");
            }

            Directory.CreateDirectory(directory);
            var failed = await RestoreBlobsAsync(manifest, from, directory, !parse.GetValue(noVerify), ct);
            SqliteSnapshot.Restore(Path.Combine(from, manifest.Metadata), target);
            Console.WriteLine($"metadata restored to {target} (backup of {manifest.CreatedAt:u})");
            if (failed > 0)
            {
                Console.WriteLine($"restore INCOMPLETE: {failed} blob(s) missing or damaged in the backup; pulls of images using them will fail (run `wharf check`)");
                return 1;
            }

            Console.WriteLine($"restore complete in {directory}");
            return 0;
        }));
        return command;
    }

    /// <summary>Copies every blob of the backup into the data directory; returns how many could not be restored.</summary>
    private static async Task<int> RestoreBlobsAsync(BackupManifest manifest, string from, string directory, bool verify, CancellationToken cancellationToken)
    {
        var tally = new Dictionary<BlobFileOutcome, int>();
        foreach (var blob in manifest.Blobs)
        {
            var path = StorageLayout.Blob(blob.Digest);
            var outcome = await BlobFiles.CopyVerifiedAsync(blob, Path.Combine(from, path), Path.Combine(directory, path), verify, cancellationToken);
            tally[outcome] = tally.GetValueOrDefault(outcome) + 1;
            var problem = outcome switch
            {
                BlobFileOutcome.SourceMissing => "missing from the backup",
                BlobFileOutcome.WrongSize => "has the wrong size in the backup",
                BlobFileOutcome.WrongDigest => "has the wrong digest in the backup",
                _ => null,
            };
            if (problem is not null)
            {
                Console.WriteLine($"problem: blob {blob.Digest} ({blob.Size} bytes) {problem}; not restored");
            }
        }

        var failed = tally.GetValueOrDefault(BlobFileOutcome.SourceMissing) + tally.GetValueOrDefault(BlobFileOutcome.WrongSize) + tally.GetValueOrDefault(BlobFileOutcome.WrongDigest);
        Console.WriteLine($"blobs: {tally.GetValueOrDefault(BlobFileOutcome.Copied)} restored{(verify ? " (size and digest verified)" : " (size verified)")}, "
            + $"{tally.GetValueOrDefault(BlobFileOutcome.AlreadyPresent)} already present, {failed} missing or damaged");
        return failed;
    }
}
