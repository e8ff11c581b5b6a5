namespace Wharf.EndToEndTests.Crash;

/// <summary>A blob sent to one repository (pushed or mounted), and whether the server acknowledged it.</summary>
internal sealed class BlobRecord(string repository, string digest, byte[] bytes)
{
    public string Repository => repository;

    public string Digest => digest;

    public byte[] Bytes => bytes;

    public bool Acked { get; set; }

    /// <summary>The collector epoch of the acknowledgement: a blob no manifest references may be collected in a later one.</summary>
    public int AckedInGcEpoch { get; set; }
}

/// <summary>What the client last asked for a manifest's deletion, and whether the server acknowledged it.</summary>
internal enum DeleteState
{
    None,
    Sent,
    Acked,
}

/// <summary>A manifest or index sent to one repository, with what it references.</summary>
internal sealed class ManifestRecord(string repository, string digest, byte[] bytes, string mediaType, IReadOnlyList<string> blobs, IReadOnlyList<string> children)
{
    public string Repository => repository;

    public string Digest => digest;

    public byte[] Bytes => bytes;

    public string MediaType => mediaType;

    public IReadOnlyList<string> Blobs => blobs;

    public IReadOnlyList<string> Children => children;

    public bool Acked { get; set; }

    public DeleteState Delete { get; set; }

    /// <summary>Acknowledged and never asked to be deleted: it must pull, and pins its blobs against the collector.</summary>
    public bool Live => Acked && Delete == DeleteState.None;
}

/// <summary>One write of a tag: a manifest digest, or null for a delete.</summary>
internal sealed class TagWrite(string? digest)
{
    public string? Digest => digest;

    public bool Acked { get; set; }
}

/// <summary>Every write of one tag, in the order its one writer sent them.</summary>
internal sealed class TagRecord(string repository, string tag)
{
    public string Repository => repository;

    public string Tag => tag;

    public List<TagWrite> Writes { get; } = [];

    /// <summary>
    /// The writes whose value may be visible now: the last acknowledged one and every later one (sent, acknowledgement
    /// lost or never sent back). Before any acknowledgement the tag may also be absent.
    /// </summary>
    public IEnumerable<TagWrite> Possible(out bool mayBeAbsent)
    {
        var last = Writes.FindLastIndex(w => w.Acked);
        mayBeAbsent = last < 0 || Writes.Skip(last).Any(w => w.Digest is null);
        return Writes.Skip(Math.Max(0, last));
    }

    /// <summary>The last acknowledged digest (null when deleted or never acknowledged).</summary>
    public string? LastAcked => Writes.FindLast(w => w.Acked)?.Digest;
}

/// <summary>An upload session the client opened: how much it sent and how much the server acknowledged.</summary>
internal sealed class SessionRecord(int worker, string repository, string location, byte[] bytes)
{
    public int Worker => worker;

    public string Repository => repository;

    /// <summary>Path and query of the session (each PATCH's answer names the next one).</summary>
    public string Location { get; set; } = location;

    public byte[] Bytes => bytes;

    public long AckedSize { get; set; }

    /// <summary>The client is done with it: its final PUT was sent, or it was left to expire. It must end up gone either way.</summary>
    public bool Closed { get; set; }

    /// <summary>The offset the final PUT's body started at, while that PUT has no answer (the kill came first); else null.</summary>
    public long? UnansweredCommit { get; set; }
}

/// <summary>
/// Everything the clients sent and what the server acknowledged (a 2xx received completely). After each restart the
/// verifier holds the server to it. Thread-safe: the clients of a cycle write to it at once.
/// </summary>
internal sealed class CrashLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, string), BlobRecord> _blobs = [];
    private readonly Dictionary<(string, string), ManifestRecord> _manifests = [];
    private readonly Dictionary<(string, string), TagRecord> _tags = [];
    private readonly List<SessionRecord> _sessions = [];
    private readonly HashSet<string> _repositories = [];
    private readonly HashSet<string> _sentDigests = [];
    private HashSet<object> _touched = [];

    /// <summary>Bumped each time a server with a zero grace period starts: unreferenced blobs acknowledged before may be collected.</summary>
    public int GcEpoch { get; private set; }

    public void StartGcEpoch()
    {
        lock (_gate)
        {
            GcEpoch++;
        }
    }

    public void Repository(string repository)
    {
        lock (_gate)
        {
            _repositories.Add(repository);
        }
    }

    public BlobRecord Blob(string repository, string digest, byte[] bytes)
    {
        lock (_gate)
        {
            _repositories.Add(repository);
            _sentDigests.Add(digest);
            if (!_blobs.TryGetValue((repository, digest), out var record))
            {
                record = new BlobRecord(repository, digest, bytes);
                _blobs[(repository, digest)] = record;
            }

            _touched.Add(record);
            return record;
        }
    }

    public void Ack(BlobRecord blob)
    {
        lock (_gate)
        {
            blob.Acked = true;
            blob.AckedInGcEpoch = GcEpoch;
            _touched.Add(blob);
        }
    }

    public ManifestRecord Manifest(string repository, string digest, byte[] bytes, string mediaType, IReadOnlyList<string> blobs, IReadOnlyList<string> children)
    {
        lock (_gate)
        {
            _repositories.Add(repository);
            if (!_manifests.TryGetValue((repository, digest), out var record))
            {
                record = new ManifestRecord(repository, digest, bytes, mediaType, blobs, children);
                _manifests[(repository, digest)] = record;
            }

            _touched.Add(record);
            return record;
        }
    }

    public void Ack(ManifestRecord manifest)
    {
        lock (_gate)
        {
            manifest.Acked = true;
            _touched.Add(manifest);
        }
    }

    public void Deleting(ManifestRecord manifest, bool acked)
    {
        lock (_gate)
        {
            manifest.Delete = acked ? DeleteState.Acked : DeleteState.Sent;
            _touched.Add(manifest);
        }
    }

    public TagWrite WriteTag(string repository, string tag, string? digest)
    {
        lock (_gate)
        {
            if (!_tags.TryGetValue((repository, tag), out var record))
            {
                record = new TagRecord(repository, tag);
                _tags[(repository, tag)] = record;
            }

            var write = new TagWrite(digest);
            record.Writes.Add(write);
            _touched.Add(record);
            return write;
        }
    }

    public void Ack(TagWrite write)
    {
        lock (_gate)
        {
            write.Acked = true;
        }
    }

    public TagRecord? Tag(string repository, string tag)
    {
        lock (_gate)
        {
            return _tags.GetValueOrDefault((repository, tag));
        }
    }

    public SessionRecord Session(int worker, string repository, string location, byte[] bytes)
    {
        lock (_gate)
        {
            var session = new SessionRecord(worker, repository, location, bytes);
            _sessions.Add(session);
            return session;
        }
    }

    public List<SessionRecord> OpenSessions(int worker)
    {
        lock (_gate)
        {
            return _sessions.Where(s => s.Worker == worker && (!s.Closed || s.UnansweredCommit is not null)).ToList();
        }
    }

    public List<SessionRecord> Sessions()
    {
        lock (_gate)
        {
            return [.. _sessions];
        }
    }

    /// <summary>Whatever is there, e.g. a blob's bytes by digest (content addressing: one digest, one content).</summary>
    public byte[]? BytesOf(string digest)
    {
        lock (_gate)
        {
            return _blobs.Values.FirstOrDefault(b => b.Digest == digest)?.Bytes;
        }
    }

    public ManifestRecord? ManifestOf(string repository, string digest)
    {
        lock (_gate)
        {
            return _manifests.GetValueOrDefault((repository, digest));
        }
    }

    /// <summary>Acknowledged, live images of a repository (index children), and blobs they pin (mount sources).</summary>
    public List<ManifestRecord> LiveImages(string repository)
    {
        lock (_gate)
        {
            return _manifests.Values.Where(m => m.Repository == repository && m.Live && m.Children.Count == 0).ToList();
        }
    }

    /// <summary>True when a live manifest of the blob's repository references it: the collector keeps it whatever the grace period.</summary>
    public bool Pinned(BlobRecord blob)
    {
        lock (_gate)
        {
            return _manifests.Values.Any(m => m.Repository == blob.Repository && m.Live && m.Blobs.Contains(blob.Digest));
        }
    }

    public bool WasSent(string digest)
    {
        lock (_gate)
        {
            return _sentDigests.Contains(digest);
        }
    }

    public bool KnowsRepository(string repository)
    {
        lock (_gate)
        {
            return _repositories.Contains(repository);
        }
    }

    public bool KnowsTag(string repository, string tag)
    {
        lock (_gate)
        {
            return _tags.ContainsKey((repository, tag));
        }
    }

    public List<string> Repositories()
    {
        lock (_gate)
        {
            return [.. _repositories];
        }
    }

    /// <summary>Every record, for a full verification.</summary>
    public List<object> All()
    {
        lock (_gate)
        {
            return [.. _blobs.Values, .. _manifests.Values, .. _tags.Values];
        }
    }

    /// <summary>The records written since the last call, plus <paramref name="sample"/> others at random.</summary>
    public List<object> TakeTouched(Random random, int sample)
    {
        lock (_gate)
        {
            var touched = _touched;
            _touched = [];
            var all = new List<object>([.. _blobs.Values, .. _manifests.Values, .. _tags.Values]);
            for (var i = 0; i < sample && all.Count > 0; i++)
            {
                touched.Add(all[random.Next(all.Count)]);
            }

            return [.. touched];
        }
    }
}
