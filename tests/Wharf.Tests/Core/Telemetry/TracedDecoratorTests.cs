using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;
using Wharf.Core.Storage;
using Wharf.Core.Telemetry;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;
using Wharf.Storage.S3;
using Wharf.TestKit;

namespace Wharf.Tests.Core.Telemetry;

/// <summary>
/// The span decorators: each call is one span named after the operation (never after a repository or path), with the
/// details as attributes and failures marked; capabilities are asked of the wrapped driver or store, so the fast
/// paths survive the wrapping exactly as they do through the timing decorators.
/// </summary>
public sealed class TracedDecoratorTests : IDisposable
{
    private readonly TempDirectory _temp = new("wharf-traced");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_traced_S3_driver_keeps_its_fast_path_capabilities()
    {
        using var s3 = new S3Driver(new S3StorageOptions { Endpoint = "http://127.0.0.1:1", Bucket = "b", AccessKey = "a", SecretKey = "s" }, TimeProvider.System);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new WharfMetrics(services.GetRequiredService<IMeterFactory>());
        IStorageDriver decorated = new TracedStorageDriver(new MeteredStorageDriver(s3, "s3", metrics), "s3");

        Assert.Same(s3, decorated.GetCapability<IContentAddressedWrites>());
        Assert.Same(s3, decorated.GetCapability<IStorageCleanup>());
        Assert.False(decorated is IContentAddressedWrites);
    }

    [Fact]
    public void A_traced_file_system_driver_has_no_capability_it_lacks()
    {
        IStorageDriver decorated = new TracedStorageDriver(new FileSystemDriver(_temp.Path), "filesystem");

        Assert.Null(decorated.GetCapability<IContentAddressedWrites>());
        Assert.Null(decorated.GetCapability<IStorageCleanup>());
    }

    [Fact]
    public void A_traced_manifest_writer_keeps_the_immutable_tag_writer()
    {
        using var database = new SqliteDatabase(_temp.Combine("wharf.db"));
        var writer = new SqliteManifestWriter(database, TimeProvider.System);

        IManifestWriter decorated = new TracedManifestWriter(writer);

        Assert.Same(writer, decorated.GetCapability<IProtectedTagWriter>());
        Assert.False(decorated is IProtectedTagWriter);
    }

    [Fact]
    public async Task Each_storage_call_is_one_span_named_by_its_operation_and_failures_are_marked()
    {
        using var recorder = new SpanRecorder();
        IStorageDriver driver = new TracedStorageDriver(new FileSystemDriver(_temp.Path), "filesystem");

        Assert.Null(await driver.StatAsync("blobs/none", CancellationToken.None));
        await Assert.ThrowsAnyAsync<Exception>(async () => await driver.MoveAsync("uploads/none", "blobs/x", CancellationToken.None));
        await foreach (var _ in driver.ListAsync("blobs", CancellationToken.None))
        {
        }

        Assert.Equal(["storage.stat", "storage.move", "storage.list"], recorder.Spans.Select(s => s.DisplayName));
        Assert.All(recorder.Spans, s => Assert.Equal("filesystem", s.GetTagItem("wharf.storage.driver")));
        Assert.All(recorder.Spans, s => Assert.Same(recorder.Root, s.Parent));
        Assert.Equal("blobs/none", recorder.Spans[0].GetTagItem("wharf.storage.path"));
        Assert.Equal(ActivityStatusCode.Unset, recorder.Spans[0].Status);
        var failed = recorder.Spans[1];
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.False(string.IsNullOrEmpty(failed.GetTagItem("error.type") as string));
        Assert.Contains(failed.Events, e => e.Name == "exception");
        Assert.Same(recorder.Root, Activity.Current);
    }

    [Fact]
    public async Task Metadata_spans_carry_the_repository_and_reference_as_attributes_not_in_their_names()
    {
        using var recorder = new SpanRecorder();
        var digest = Wharf.Core.Protocol.Digest.Parse("sha256:" + new string('a', 64));
        IManifestReader reader = new TracedManifestReader(new NoManifests());

        Assert.Null(await reader.GetByTagAsync("team/app", "v1", CancellationToken.None));
        Assert.Null(await reader.GetAsync("team/app", digest, CancellationToken.None));

        Assert.Equal(["metadata.manifests.get_by_tag", "metadata.manifests.get"], recorder.Spans.Select(s => s.DisplayName));
        Assert.All(recorder.Spans, s => Assert.Equal("team/app", s.GetTagItem("wharf.repository")));
        Assert.All(recorder.Spans, s => Assert.Equal("manifests", s.GetTagItem("wharf.metadata.store")));
        Assert.Equal(["v1", digest.Value], recorder.Spans.Select(s => s.GetTagItem("wharf.reference")));
    }

    private sealed class NoManifests : IManifestReader
    {
        public ValueTask<StoredManifest?> GetAsync(string repository, Wharf.Core.Protocol.Digest digest, CancellationToken cancellationToken) => ValueTask.FromResult<StoredManifest?>(null);

        public ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken) => ValueTask.FromResult<StoredManifest?>(null);

        public ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken) => ValueTask.FromResult<Page<string>?>(null);

        public ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Wharf.Core.Protocol.Digest subject, string? artifactType, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Referrer>>([]);
    }
}
