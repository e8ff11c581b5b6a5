using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Wharf.EndToEndTests.Cli;

namespace Wharf.EndToEndTests.Crash;

/// <summary>How a client sends one blob.</summary>
internal enum BlobMethod
{
    /// <summary>One POST ?digest= with the body.</summary>
    MonolithicPost,

    /// <summary>POST, then PUT ?digest= with the whole body.</summary>
    PostThenPut,

    /// <summary>POST, PATCHes with Content-Range, PUT ?digest= (sometimes with the last chunk).</summary>
    Chunked,

    /// <summary>POST, one PATCH streamed without a length (chunked transfer encoding), PUT ?digest=.</summary>
    Streamed,

    /// <summary>POST ?mount= of a blob another repository holds, with or without from (falls back to an upload on 202).</summary>
    Mount,
}

/// <summary>
/// One of the harness's concurrent clients, speaking raw HTTP: blobs by every upload method and mounts, images, indexes
/// over them, tags and re-points, tag and manifest deletes, garbage for the collector, and resumption of uploads a kill
/// interrupted. It owns its repositories (crash/wN/…) and tags, so that the order of its writes is the order they happened.
/// Every request goes into the <see cref="CrashLedger"/> before it is sent and is marked acknowledged on a complete 2xx.
/// </summary>
internal sealed class CrashClient(int worker, CrashLedger ledger, Random random, long largestBlob, ConcurrentQueue<string> unexpected)
{
    /// <summary>Clients per cycle.</summary>
    public const int Workers = 4;

    private const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    private static readonly string[] AppTags = ["t0", "t1", "t2", "t3"];
    private static readonly string[] IndexTags = ["i0", "i1"];
    private static readonly string[] BaseTags = ["b0", "b1"];

    private readonly string _app = $"crash/w{worker}/app";
    private readonly string _base = $"crash/w{worker}/base";
    private readonly string _scratch = $"crash/w{worker}/scratch";
    private HttpClient _http = null!;
    private KillSwitch _kill = null!;
    private bool _collecting;

    /// <summary>Uploads continued after a restart from the size the server reported.</summary>
    public int Resumed { get; private set; }

    /// <summary>Commits the kill left unanswered, sent again after the restart: how the server answered.</summary>
    public ConcurrentDictionary<string, int> RetriedCommits { get; } = new();

    /// <summary>Runs operations until the kill switch fires; a request the kill cut off ends the cycle for this client.</summary>
    public async Task RunCycleAsync(HttpClient http, KillSwitch kill, bool collecting)
    {
        (_http, _kill, _collecting) = (http, kill, collecting);
        try
        {
            await ResumeAsync();
            while (!kill.HasFired)
            {
                await OneOperationAsync();
            }
        }
        catch (Exception e) when (kill.HasFired && e is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // The server died under this request: the ledger has it as sent and not acknowledged. A kill landing while a
            // connection is being set up can surface as a bare SocketException ("Transport endpoint is not connected").
        }
    }

    private async Task OneOperationAsync()
    {
        var roll = random.Next(100);
        switch (_kill.Target)
        {
            case CrashPhase.Delete when roll < 60:
                await (random.Next(2) == 0 ? DeleteTagAsync() : ScratchImageAsync(delete: true));
                return;
            case CrashPhase.ManifestPut when roll < 30:
                await PushIndexAsync();
                return;
            case CrashPhase.GcSweep when roll < 30:
                await GarbageAsync();
                return;
        }

        switch (random.Next(100))
        {
            case < 45:
                await PushImageAsync(random.Next(3) == 0 ? _base : _app);
                break;
            case < 60:
                await PushIndexAsync();
                break;
            case < 72:
                await DeleteTagAsync();
                break;
            case < 86:
                await ScratchImageAsync(delete: random.Next(3) != 0);
                break;
            default:
                await GarbageAsync();
                break;
        }
    }

    private async Task PushImageAsync(string repository)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","created":"{{Guid.NewGuid():N}}"}""");
        var blobs = new List<BlobRecord>();
        if (await PushBlobAsync(repository, config, PickMethod(allowMount: false)) is not { } configBlob)
        {
            return;
        }

        for (var i = 1 + random.Next(3); i > 0; i--)
        {
            var method = PickMethod(allowMount: true);
            var layer = method == BlobMethod.Mount ? MountSource(repository) : null;
            var pushed = layer is not null
                ? await MountAsync(repository, layer)
                : await PushBlobAsync(repository, RandomBytes(), method == BlobMethod.Mount ? BlobMethod.MonolithicPost : method);
            if (pushed is null)
            {
                return;
            }

            blobs.Add(pushed);
        }

        var layers = string.Join(',', blobs.Select(b => $$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{b.Digest}}","size":{{b.Bytes.Length}}}"""));
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{ImageManifest}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configBlob.Digest}}","size":{{config.Length}}},"layers":[{{layers}}]}""");
        var digests = blobs.Select(b => b.Digest).Prepend(configBlob.Digest).ToList();
        var tags = repository == _app ? AppTags : BaseTags;
        var byDigest = random.Next(4) == 0;
        var reference = byDigest ? RawPush.Sha256(manifest) : tags[random.Next(tags.Length)];
        if (await PutManifestAsync(repository, reference, manifest, ImageManifest, digests, []) && byDigest && random.Next(2) == 0)
        {
            await PutManifestAsync(repository, tags[random.Next(tags.Length)], manifest, ImageManifest, digests, []);
        }
    }

    private async Task PushIndexAsync()
    {
        var images = ledger.LiveImages(_app);
        if (images.Count == 0)
        {
            await PushImageAsync(_app);
            return;
        }

        var children = Enumerable.Range(0, 1 + random.Next(2)).Select(_ => images[random.Next(images.Count)]).DistinctBy(m => m.Digest).ToList();
        var entries = children.Select((c, i) =>
            $$$"""{"mediaType":"{{{ImageManifest}}}","digest":"{{{c.Digest}}}","size":{{{c.Bytes.Length}}},"platform":{"architecture":"arch{{{i}}}","os":"linux"}}""");
        var index = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"{{{ImageIndex}}}","manifests":[{{{string.Join(',', entries)}}}],"annotations":{"n":"{{{Guid.NewGuid():N}}}"}}""");
        await PutManifestAsync(_app, IndexTags[random.Next(IndexTags.Length)], index, ImageIndex, [], children.Select(c => c.Digest).ToList());
    }

    private async Task DeleteTagAsync()
    {
        var tags = AppTags.Concat(IndexTags).Where(t => ledger.Tag(_app, t)?.LastAcked is not null).ToList();
        if (tags.Count == 0)
        {
            await PushImageAsync(_app);
            return;
        }

        var tag = tags[random.Next(tags.Count)];
        var write = ledger.WriteTag(_app, tag, null);
        using var response = await SendAsync(HttpMethod.Delete, $"/v2/{_app}/manifests/{tag}", null);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NotFound)
        {
            // 404: the tag was already gone (a lost acknowledgement of an earlier delete): absent either way.
            ledger.Ack(write);
            return;
        }

        Unexpected(response, body, $"DELETE {_app}:{tag}");
    }

    /// <summary>An untagged image in the scratch repository, often deleted by digest at once: work for the collector.</summary>
    private async Task ScratchImageAsync(bool delete)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"created":"{{Guid.NewGuid():N}}"}""");
        var layer = RandomBytes();
        if (await PushBlobAsync(_scratch, config, BlobMethod.MonolithicPost) is not { } c || await PushBlobAsync(_scratch, layer, PickMethod(allowMount: false)) is not { } l)
        {
            return;
        }

        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{ImageManifest}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{c.Digest}}","size":{{config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{l.Digest}}","size":{{layer.Length}}}]}""");
        var digest = RawPush.Sha256(manifest);
        if (!await PutManifestAsync(_scratch, digest, manifest, ImageManifest, [c.Digest, l.Digest], []) || !delete)
        {
            return;
        }

        var record = ledger.ManifestOf(_scratch, digest)!;
        ledger.Deleting(record, acked: false);
        using var response = await SendAsync(HttpMethod.Delete, $"/v2/{_scratch}/manifests/{digest}", null, CrashPhase.Delete);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            ledger.Deleting(record, acked: true);
            return;
        }

        Unexpected(response, body, $"DELETE {_scratch}@{digest}");
    }

    private async Task GarbageAsync()
    {
        for (var i = 2 + random.Next(5); i > 0 && !_kill.HasFired; i--)
        {
            await PushBlobAsync(_scratch, RandomBytes(2 + random.Next(300)), BlobMethod.MonolithicPost);
        }
    }

    /// <summary>Uploads a kill interrupted: some are continued from the size the server reports, the rest left to expire.</summary>
    private async Task ResumeAsync()
    {
        foreach (var session in ledger.OpenSessions(worker))
        {
            if (session.UnansweredCommit is { } sent)
            {
                session.UnansweredCommit = null;
                if (random.Next(2) == 0)
                {
                    await RetryCommitAsync(session, sent);
                }

                continue;
            }

            session.Closed = true;
            if (random.Next(4) == 0)
            {
                continue;
            }

            using var status = await SendAsync(HttpMethod.Get, session.Location, null);
            await status.Content.ReadAsByteArrayAsync();
            if (status.StatusCode == HttpStatusCode.NotFound)
            {
                continue; // expired meanwhile
            }

            var recorded = RangeEnd(status) is { } end && end > 0 ? end + 1 : 0;
            if (status.StatusCode != HttpStatusCode.NoContent || recorded < session.AckedSize || recorded > session.Bytes.Length)
            {
                unexpected.Enqueue($"resumed upload {session.Location} ({session.Bytes.Length} bytes, {session.AckedSize} acknowledged) answered {(int)status.StatusCode} with Range ending at {recorded - 1}");
                continue;
            }

            session.AckedSize = recorded;
            session.Closed = false;
            Resumed++;
            await FinishChunkedAsync(session, recorded);
        }
    }

    /// <summary>
    /// Sends again the commit the kill left unanswered, as a client retrying it does: 201 (the blob is then whole), or the
    /// upload is unknown (it was committed before the kill, or lost with the process); nothing else.
    /// </summary>
    private async Task RetryCommitAsync(SessionRecord session, long offset)
    {
        var blob = ledger.Blob(session.Repository, RawPush.Sha256(session.Bytes), session.Bytes);
        var separator = session.Location.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var response = await SendAsync(HttpMethod.Put, session.Location + separator + "digest=" + blob.Digest, new ByteArrayContent(session.Bytes[(int)offset..]));
        var body = await response.Content.ReadAsByteArrayAsync();
        var outcome = response.StatusCode == HttpStatusCode.Created ? "201" : StoreClient.ErrorCodeOf(response, body) ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        RetriedCommits.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            ledger.Ack(blob);
        }
        else if (outcome != "BLOB_UPLOAD_UNKNOWN")
        {
            Unexpected(response, body, $"retried commit PUT {session.Location} of {blob.Digest} ({session.Bytes.Length} bytes, {offset} sent before it)");
        }
    }

    private BlobMethod PickMethod(bool allowMount)
    {
        var preferred = _kill.Target switch
        {
            CrashPhase.MidPatch => random.Next(2) == 0 ? BlobMethod.Chunked : BlobMethod.Streamed,
            CrashPhase.MidMonolithic => random.Next(2) == 0 ? BlobMethod.MonolithicPost : BlobMethod.PostThenPut,
            CrashPhase.Mount when allowMount => BlobMethod.Mount,
            _ => (BlobMethod?)null,
        };
        if (preferred is { } p && random.Next(3) != 0)
        {
            return p;
        }

        var methods = allowMount ? Enum.GetValues<BlobMethod>() : [BlobMethod.MonolithicPost, BlobMethod.PostThenPut, BlobMethod.Chunked, BlobMethod.Streamed];
        return methods[random.Next(methods.Length)];
    }

    /// <summary>A few bytes to a few MiB: mostly small, as layers and configs are.</summary>
    private byte[] RandomBytes(int? size = null)
    {
        var roll = random.NextDouble();
        var length = size ?? (roll switch
        {
            < 0.40 => 2 + random.Next(300),
            < 0.80 => 300 + random.Next(64 * 1024),
            < 0.97 => (64 * 1024) + random.Next(960 * 1024),
            _ => (int)(1024 * 1024 + random.NextInt64(largestBlob - (1024 * 1024))),
        });
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A blob a live image in another repository references: the collector keeps it, so it can always be mounted.</summary>
    private BlobRecord? MountSource(string repository)
    {
        var other = random.Next(2) == 0 ? (repository == _app ? _base : _app) : $"crash/w{random.Next(Workers)}/{(random.Next(2) == 0 ? "app" : "base")}";
        var images = other == repository ? [] : ledger.LiveImages(other);
        if (images.Count == 0)
        {
            return null;
        }

        var image = images[random.Next(images.Count)];
        var digest = image.Blobs[random.Next(image.Blobs.Count)];
        var bytes = ledger.BytesOf(digest)!;
        return new BlobRecord(other, digest, bytes);
    }

    private async Task<BlobRecord?> MountAsync(string repository, BlobRecord source)
    {
        var blob = ledger.Blob(repository, source.Digest, source.Bytes);
        var from = random.Next(3) == 0 ? "" : "&from=" + Uri.EscapeDataString(source.Repository);
        using var response = await SendAsync(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?mount={source.Digest}{from}", new ByteArrayContent([]), CrashPhase.Mount);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode == HttpStatusCode.Created)
        {
            ledger.Ack(blob);
            return blob;
        }

        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            Unexpected(response, body, $"mount of {source.Digest} into {repository}");
            return null;
        }

        var session = ledger.Session(worker, repository, LocationOf(response), source.Bytes);
        return await CommitAsync(session, 0, CrashPhase.MidMonolithic);
    }

    private async Task<BlobRecord?> PushBlobAsync(string repository, byte[] bytes, BlobMethod method)
    {
        if (method == BlobMethod.MonolithicPost)
        {
            var blob = ledger.Blob(repository, RawPush.Sha256(bytes), bytes);
            using var response = await SendAsync(
                HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?digest={blob.Digest}", Probed(bytes, true, CrashPhase.MidMonolithic, CrashPhase.BlobCommit));
            return await AckedAsync(response, blob, HttpStatusCode.Created, $"monolithic POST of {blob.Digest} into {repository}");
        }

        ledger.Repository(repository);
        using var start = await SendAsync(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/", new ByteArrayContent([]));
        var startBody = await start.Content.ReadAsByteArrayAsync();
        if (start.StatusCode != HttpStatusCode.Accepted)
        {
            Unexpected(start, startBody, $"POST upload into {repository}");
            return null;
        }

        var session = ledger.Session(worker, repository, LocationOf(start), bytes);
        switch (method)
        {
            case BlobMethod.PostThenPut:
                return await CommitAsync(session, 0, CrashPhase.MidMonolithic);
            case BlobMethod.Streamed:
                return await PatchAsync(session, 0, bytes.Length, streamed: true) ? await CommitAsync(session, bytes.Length, null) : null;
            default:
                return await FinishChunkedAsync(session, 0);
        }
    }

    /// <summary>PATCHes the rest of the session's bytes from <paramref name="offset"/> in one to three chunks, then commits (sometimes with the last chunk).</summary>
    private async Task<BlobRecord?> FinishChunkedAsync(SessionRecord session, long offset)
    {
        var length = session.Bytes.Length;
        var chunks = 1 + random.Next(3);
        var lastInPut = random.Next(3) == 0;
        while (offset < length && chunks > 0)
        {
            if (chunks == 1 && lastInPut)
            {
                break;
            }

            var end = chunks == 1 ? length : Math.Min(length, offset + Math.Max(2, (length - offset) / chunks));
            if (!await PatchAsync(session, offset, end, streamed: false))
            {
                return null;
            }

            offset = end;
            chunks--;
        }

        return await CommitAsync(session, offset, null);
    }

    private async Task<bool> PatchAsync(SessionRecord session, long offset, long end, bool streamed)
    {
        var chunk = session.Bytes[(int)offset..(int)end];
        var content = Probed(chunk, knownLength: !streamed, CrashPhase.MidPatch, null);
        if (!streamed)
        {
            content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{end - 1}");
        }

        using var response = await SendAsync(HttpMethod.Patch, session.Location, content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            Unexpected(response, body, $"PATCH {session.Location} {offset}-{end - 1}");
            return false;
        }

        session.AckedSize = RangeEnd(response) + 1 ?? 0;
        session.Location = LocationOf(response);
        return true;
    }

    private async Task<BlobRecord?> CommitAsync(SessionRecord session, long offset, CrashPhase? midway)
    {
        var blob = ledger.Blob(session.Repository, RawPush.Sha256(session.Bytes), session.Bytes);
        var rest = session.Bytes[(int)offset..];
        session.Closed = true;
        session.UnansweredCommit = offset;
        var separator = session.Location.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var response = await SendAsync(
            HttpMethod.Put, session.Location + separator + "digest=" + blob.Digest, Probed(rest, true, rest.Length > 0 ? midway : null, CrashPhase.BlobCommit));
        session.UnansweredCommit = null;
        return await AckedAsync(response, blob, HttpStatusCode.Created, $"PUT {session.Location} of {blob.Digest}");
    }

    private async Task<bool> PutManifestAsync(string repository, string reference, byte[] bytes, string mediaType, List<string> blobs, List<string> children)
    {
        var digest = RawPush.Sha256(bytes);
        var manifest = ledger.Manifest(repository, digest, bytes, mediaType, blobs, children);
        var write = reference.StartsWith("sha256:", StringComparison.Ordinal) ? null : ledger.WriteTag(repository, reference, digest);
        var content = Probed(bytes, true, null, CrashPhase.ManifestPut);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await SendAsync(HttpMethod.Put, $"/v2/{repository}/manifests/{reference}", content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode == HttpStatusCode.Created)
        {
            ledger.Ack(manifest);
            if (write is not null)
            {
                ledger.Ack(write);
            }

            return true;
        }

        // With a zero grace period the collector may take a fresh blob's link before its manifest arrives: a refusal, not a loss.
        if (!(_collecting && StoreClient.ErrorCodeOf(response, body) == "MANIFEST_BLOB_UNKNOWN"))
        {
            Unexpected(response, body, $"PUT manifest {repository}:{reference}");
        }

        return false;
    }

    private async Task<BlobRecord?> AckedAsync(HttpResponseMessage response, BlobRecord blob, HttpStatusCode expected, string what)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode == expected)
        {
            ledger.Ack(blob);
            return blob;
        }

        Unexpected(response, body, what);
        return null;
    }

    private ProbedContent Probed(byte[] bytes, bool knownLength, CrashPhase? midway, CrashPhase? sent) => new(
        bytes,
        knownLength,
        midway is { } m && bytes.Length >= 2 ? () => _kill.HoldingAsync(m) : null,
        sent is { } s ? () => _kill.Sent(s) : null);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CrashPhase? sent = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (sent is { } phase)
        {
            // A bodiless request: the kill comes a random few milliseconds after it leaves, while the server works on it.
            _kill.Sent(phase);
        }

        return await _http.SendAsync(request);
    }

    private void Unexpected(HttpResponseMessage response, byte[] body, string what)
    {
        if (!_kill.HasFired)
        {
            unexpected.Enqueue($"{what} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        }
    }

    private static string LocationOf(HttpResponseMessage response)
    {
        var location = response.Headers.Location!;
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    private static long? RangeEnd(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Range", out var values) && values.First().Split('-') is [_, var end] ? long.Parse(end, System.Globalization.CultureInfo.InvariantCulture) : null;
}
