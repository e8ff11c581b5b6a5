namespace Wharf.EndToEndTests.Crash;

/// <summary>Where in a request's life the server is killed: the harness aims each kill at one of these.</summary>
internal enum CrashPhase
{
    /// <summary>Half of a chunk's body (Content-Range, or a streamed PATCH) is on the wire.</summary>
    MidPatch,

    /// <summary>Half of a whole blob's body (POST ?digest= or PUT with the body) is on the wire.</summary>
    MidMonolithic,

    /// <summary>The PUT that commits an upload has been sent; the server is verifying and publishing it.</summary>
    BlobCommit,

    /// <summary>A cross-repository mount (with or without from) has been sent.</summary>
    Mount,

    /// <summary>A manifest or index PUT has been sent; the server is checking references and writing the row and tag.</summary>
    ManifestPut,

    /// <summary>A tag or manifest DELETE has been sent.</summary>
    Delete,

    /// <summary>The collector was seen reclaiming (grace period 0) when the kill came.</summary>
    GcSweep,

    /// <summary>A random moment while clients push.</summary>
    Anywhere,
}
