using System.Net;
using System.Text.Json;
using Wharf.EndToEndTests.Cli;

namespace Wharf.EndToEndTests.Crash;

/// <summary>A broken promise the harness found: what was acknowledged, what the server shows instead.</summary>
internal sealed class CrashInvariantException(string message) : Exception(message);

/// <summary>
/// Holds a restarted server to the ledger: every acknowledged blob, manifest and tag pulls back byte-identical; whatever
/// is visible without an acknowledgement is complete, byte-correct and resolves; nothing never sent appears.
/// </summary>
internal sealed class CrashVerifier(HttpClient http, CrashLedger ledger)
{
    private readonly HashSet<(string, string)> _pulledWhole = [];

    private const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string ImageIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>Acknowledged objects found complete (counted per check).</summary>
    public int AckedChecked { get; private set; }

    /// <summary>Unacknowledged objects found visible, and complete.</summary>
    public int UnackedVisibleChecked { get; private set; }

    /// <summary>Verifies <paramref name="records"/>; <paramref name="collecting"/>: the server collects with a zero grace period.</summary>
    public async Task VerifyAsync(IEnumerable<object> records, bool collecting)
    {
        foreach (var record in records)
        {
            switch (record)
            {
                case BlobRecord blob:
                    await VerifyBlobAsync(blob, collecting);
                    break;
                case ManifestRecord manifest:
                    await VerifyManifestAsync(manifest);
                    break;
                case TagRecord tag:
                    await VerifyTagAsync(tag);
                    break;
            }
        }
    }

    /// <summary>Every repository in the catalog and every tag listed was written by a client.</summary>
    public async Task VerifyNothingUnsentIsListedAsync()
    {
        using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri("/v2/_catalog?n=100000", UriKind.Relative)));
        foreach (var repository in catalog.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!))
        {
            Expect(ledger.KnowsRepository(repository), $"the catalog lists repository {repository}, which no client wrote to");
            using var response = await http.GetAsync(new Uri($"/v2/{repository}/tags/list?n=100000", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }

            Expect(response.StatusCode == HttpStatusCode.OK, $"tags/list of {repository} answered {(int)response.StatusCode}");
            using var tags = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (tags.RootElement.GetProperty("tags") is { ValueKind: JsonValueKind.Array } list)
            {
                foreach (var tag in list.EnumerateArray().Select(t => t.GetString()!))
                {
                    Expect(ledger.KnowsTag(repository, tag), $"{repository}:{tag} is listed, but no client ever wrote that tag");
                }
            }
        }
    }

    private async Task VerifyBlobAsync(BlobRecord blob, bool collecting)
    {
        var required = blob.Acked && (ledger.Pinned(blob) || (!collecting && blob.AckedInGcEpoch == ledger.GcEpoch));
        var (status, body) = await GetAsync($"/v2/{blob.Repository}/blobs/{blob.Digest}", null);
        if (status == HttpStatusCode.NotFound && !required)
        {
            return;
        }

        Expect(status == HttpStatusCode.OK, $"blob {blob.Repository}@{blob.Digest} ({(blob.Acked ? "acknowledged" : "not acknowledged")}, {blob.Bytes.Length} bytes) answered {(int)status}");
        Expect(body.AsSpan().SequenceEqual(blob.Bytes), $"blob {blob.Repository}@{blob.Digest} pulled {body.Length} bytes hashing to {RawPush.Sha256(body)}, not the {blob.Bytes.Length} bytes pushed");
        _pulledWhole.Add((blob.Repository, blob.Digest));
        Count(blob.Acked);
    }

    private async Task VerifyManifestAsync(ManifestRecord manifest)
    {
        var where = $"manifest {manifest.Repository}@{manifest.Digest}";
        var (status, body) = await GetAsync($"/v2/{manifest.Repository}/manifests/{manifest.Digest}", manifest.MediaType);
        if (manifest.Delete == DeleteState.Acked)
        {
            Expect(status == HttpStatusCode.NotFound, $"{where} was deleted (acknowledged) but answers {(int)status}");
            return;
        }

        if (status == HttpStatusCode.NotFound && !manifest.Live)
        {
            return;
        }

        Expect(status == HttpStatusCode.OK, $"{where} ({(manifest.Acked ? "acknowledged" : "not acknowledged")}) answered {(int)status}");
        Expect(body.AsSpan().SequenceEqual(manifest.Bytes), $"{where} pulled other bytes than pushed");
        await VerifyReferencesAsync(manifest);
        Count(manifest.Acked);
    }

    /// <summary>A visible manifest's blobs and children all pull, byte-exact.</summary>
    private async Task VerifyReferencesAsync(ManifestRecord manifest)
    {
        foreach (var digest in manifest.Blobs.Where(d => !_pulledWhole.Contains((manifest.Repository, d))))
        {
            var (status, body) = await GetAsync($"/v2/{manifest.Repository}/blobs/{digest}", null);
            Expect(status == HttpStatusCode.OK, $"manifest {manifest.Repository}@{manifest.Digest} is visible but its blob {digest} answers {(int)status}");
            Expect(body.AsSpan().SequenceEqual(ledger.BytesOf(digest)), $"blob {manifest.Repository}@{digest} of a visible manifest pulled other bytes than pushed");
            _pulledWhole.Add((manifest.Repository, digest));
        }

        foreach (var child in manifest.Children)
        {
            var record = ledger.ManifestOf(manifest.Repository, child)!;
            var (status, body) = await GetAsync($"/v2/{manifest.Repository}/manifests/{child}", record.MediaType);
            Expect(status == HttpStatusCode.OK, $"index {manifest.Repository}@{manifest.Digest} is visible but its child {child} answers {(int)status}");
            Expect(body.AsSpan().SequenceEqual(record.Bytes), $"child {manifest.Repository}@{child} pulled other bytes than pushed");
        }
    }

    private async Task VerifyTagAsync(TagRecord tag)
    {
        var where = $"tag {tag.Repository}:{tag.Tag}";
        var possible = tag.Possible(out var mayBeAbsent).ToList();
        var (status, body) = await GetAsync($"/v2/{tag.Repository}/manifests/{tag.Tag}", ImageManifest + ", " + ImageIndex);
        var history = string.Join(", ", tag.Writes.Select(w => (w.Digest ?? "deleted") + (w.Acked ? " (acknowledged)" : " (sent)")));
        if (status == HttpStatusCode.NotFound)
        {
            Expect(mayBeAbsent, $"{where} is gone; its writes were: {history}");
            return;
        }

        Expect(status == HttpStatusCode.OK, $"{where} answered {(int)status}");
        var digest = RawPush.Sha256(body);
        var write = possible.FirstOrDefault(w => w.Digest == digest);
        Expect(write is not null, $"{where} points to {digest}, which is neither its last acknowledged value nor a later one: {history}");
        var manifest = ledger.ManifestOf(tag.Repository, digest)!;
        Expect(body.AsSpan().SequenceEqual(manifest.Bytes), $"{where} pulled other bytes than pushed");
        await VerifyReferencesAsync(manifest);
        Count(write!.Acked);
    }

    private void Count(bool acked)
    {
        if (acked)
        {
            AckedChecked++;
        }
        else
        {
            UnackedVisibleChecked++;
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> GetAsync(string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            throw new CrashInvariantException(problem);
        }
    }
}
