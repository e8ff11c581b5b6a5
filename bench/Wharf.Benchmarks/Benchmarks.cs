using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;
using Wharf.Core.Metadata.Caching;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Core.Storage;
using Wharf.Http;
using Wharf.Http.Results;
using Wharf.Http.Routing;
using Wharf.Storage.FileSystem;

namespace Wharf.Benchmarks;

/// <summary>The upload copy loop: 64 MiB from a request-like stream into a storage writer, hashed with SHA-256.</summary>
[MemoryDiagnoser]
public class BodyCopyBenchmarks
{
    private const int Size = 64 << 20;
    private byte[] _data = [];
    private MemoryStream _body = null!;
    private string _root = "";
    private FileSystemDriver _driver = null!;

    [Params("null", "file")]
    public string Writer { get; set; } = "null";

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(1).NextBytes(_data);
        _body = new MemoryStream(_data, writable: false);
        _root = Directory.CreateTempSubdirectory("wharf-bench-copy").FullName;
        _driver = new FileSystemDriver(_root);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public async Task<long> CopyAsync()
    {
        _body.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using IStorageWriter writer = Writer == "null" ? new NullStorageWriter() : await _driver.OpenWriterAsync("uploads/bench/data", 0, CancellationToken.None);
        var copied = await BodyCopier.CopyAsync(_body, writer, hash, CancellationToken.None);
        hash.GetHashAndReset();
        return copied;
    }
}

/// <summary>
/// The copy of a small body (a config or a small layer, 4 KiB): one read into a shared buffer, never the three 1 MiB
/// upload blocks, and nothing allocated per copy but the hash.
/// </summary>
[MemoryDiagnoser]
public class SmallBodyCopyBenchmarks
{
    private MemoryStream _body = null!;
    private readonly NullStorageWriter _writer = new();

    [GlobalSetup]
    public void Setup()
    {
        var data = new byte[4096];
        new Random(1).NextBytes(data);
        _body = new MemoryStream(data, writable: false);
    }

    [Benchmark]
    public async Task<long> CopyAsync()
    {
        _body.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var copied = await BodyCopier.CopyAsync(_body, _writer, hash, CancellationToken.None);
        hash.GetHashAndReset();
        return copied;
    }
}

/// <summary>The raw-path parser every /v2/ request goes through.</summary>
[MemoryDiagnoser]
public class OciPathBenchmarks
{
    private const string BlobDigest = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    private static readonly Dictionary<string, string> Paths = new(StringComparer.Ordinal)
    {
        ["manifest"] = "/v2/library/ubuntu/manifests/latest",
        ["blob"] = "/v2/library/ubuntu/blobs/" + BlobDigest,
        ["upload"] = "/v2/team/app/blobs/uploads/0f3e1c1e7d7a4b8e9f3b5b1c2a0d9e8f",
        ["tags"] = "/v2/team/app/tags/list",
    };

    private string _path = "";

    [Params("manifest", "blob", "upload", "tags")]
    public string Route { get; set; } = "manifest";

    [GlobalSetup]
    public void Setup()
    {
        _path = Paths[Route];
        if (OciPath.Parse(_path).Error is { } error)
        {
            throw new InvalidOperationException($"{_path} does not parse: {error.Code}");
        }
    }

    [Benchmark]
    public OciPathResult Parse() => OciPath.Parse(_path);
}

/// <summary>Manifest validation at push time.</summary>
[MemoryDiagnoser]
public class ManifestParserBenchmarks
{
    private byte[] _image = [];
    private byte[] _index = [];

    [GlobalSetup]
    public void Setup()
    {
        _image = Samples.ImageManifest(layers: 5);
        _index = Samples.Index(entries: 4);
        if (!ManifestParser.Parse(_image, "application/vnd.oci.image.manifest.v1+json").IsOk || !ManifestParser.Parse(_index, "application/vnd.oci.image.index.v1+json").IsOk)
        {
            throw new InvalidOperationException("sample manifests do not validate");
        }
    }

    [Benchmark]
    public object ImageManifest() => ManifestParser.Parse(_image, "application/vnd.oci.image.manifest.v1+json");

    [Benchmark]
    public object ImageIndex() => ManifestParser.Parse(_index, "application/vnd.oci.image.index.v1+json");
}

/// <summary>
/// GET manifest and HEAD blob through the whole dispatcher (path parse, handler, result) on a reused
/// DefaultHttpContext, with in-memory metadata; and the manifest result alone.
/// </summary>
[MemoryDiagnoser]
public class ManifestGetBenchmarks
{
    private RegistryDispatcher _dispatcher = null!;
    private ServiceProvider _services = null!;
    private DefaultHttpContext _context = null!;
    private HttpRequestFeature _request = null!;
    private ManifestContentResult _result = null!;
    private string _blobPath = "";
    private string _root = "";

    [GlobalSetup]
    public void Setup()
    {
        var payload = Samples.ImageManifest(layers: 5);
        var manifest = new StoredManifest(Digest.Parse(Samples.Sha256(payload)), "application/vnd.oci.image.manifest.v1+json", payload, null, null, null);
        var blob = new BlobInfo(Digest.Parse(Samples.Sha256("layer"u8)), 4096);
        var metadata = new InMemoryMetadata(manifest, "latest", blob);
        _root = Directory.CreateTempSubdirectory("wharf-bench-get").FullName;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new UploadOptions());
        services.AddSingleton(new ManifestOptions());
        services.AddSingleton(new PaginationOptions());
        services.AddSingleton(new BlobOptions());
        services.AddSingleton<IStorageDriver>(new FileSystemDriver(_root));
        services.AddSingleton<IManifestReader>(metadata);
        services.AddSingleton<IManifestWriter>(metadata);
        services.AddSingleton<IBlobIndex>(metadata);
        services.AddSingleton<IRepositoryReader>(metadata);
        services.AddSingleton<IUploadSessionStore>(metadata);
        services.AddSingleton<IUsageWriter>(new NullUsageWriter());
        services.AddWharfRegistry();
        _services = services.BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<RegistryDispatcher>();
        _result = new ManifestContentResult(manifest);
        _blobPath = "/v2/library/app/blobs/" + blob.Digest.Value;

        _context = new DefaultHttpContext();
        _request = (HttpRequestFeature)_context.Features.Get<IHttpRequestFeature>()!;
        _context.Request.Headers.Accept = "application/vnd.oci.image.manifest.v1+json";
        _context.Response.Body = Stream.Null;
        foreach (var (name, run) in new (string, Func<Task<int>>)[] { ("GET manifest", DispatchGetManifestByTag), ("HEAD blob", DispatchHeadBlob), ("manifest result", ManifestResultExecute) })
        {
            var status = run().GetAwaiter().GetResult();
            if (status != StatusCodes.Status200OK)
            {
                throw new InvalidOperationException($"{name} answered {status}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark]
    public async Task<int> DispatchGetManifestByTag()
    {
        Reset("GET", "/v2/library/app/manifests/latest");
        await (await _dispatcher.DispatchAsync(_context)).ExecuteAsync(_context);
        return _context.Response.StatusCode;
    }

    [Benchmark]
    public async Task<int> DispatchHeadBlob()
    {
        Reset("HEAD", _blobPath);
        await (await _dispatcher.DispatchAsync(_context)).ExecuteAsync(_context);
        return _context.Response.StatusCode;
    }

    [Benchmark]
    public async Task<int> ManifestResultExecute()
    {
        Reset("GET", "/v2/library/app/manifests/latest");
        await _result.ExecuteAsync(_context);
        return _context.Response.StatusCode;
    }

    private void Reset(string method, string path)
    {
        _request.Method = method;
        _request.Path = path;
        _request.RawTarget = path;
        _context.Response.Headers.Clear();
        _context.Response.StatusCode = 200;
    }
}

internal static class Samples
{
    public static string Sha256(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] ImageManifest(int layers)
    {
        var sb = new StringBuilder();
        sb.Append("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",");
        sb.Append("\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"").Append(Sha256("config"u8)).Append("\",\"size\":1234},\"layers\":[");
        for (var i = 0; i < layers; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
                .Append(Sha256(BitConverter.GetBytes(i))).Append("\",\"size\":").Append(1000 + i).Append('}');
        }

        sb.Append("],\"annotations\":{\"org.opencontainers.image.created\":\"2025-01-01T00:00:00Z\"}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Index(int entries)
    {
        var sb = new StringBuilder();
        sb.Append("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
        string[] arches = ["amd64", "arm64", "ppc64le", "s390x", "riscv64", "386"];
        for (var i = 0; i < entries; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"")
                .Append(Sha256(BitConverter.GetBytes(100 + i))).Append("\",\"size\":").Append(500 + i)
                .Append(",\"platform\":{\"architecture\":\"").Append(arches[i % arches.Length]).Append("\",\"os\":\"linux\"}}");
        }

        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

/// <summary>
/// A hit of the metadata caches as an instance sharing PostgreSQL serves it (a <see cref="CacheCoherence"/> that a
/// listener resumed): the coherence check must add no allocation to the hot path.
/// </summary>
[MemoryDiagnoser]
public class CacheHitBenchmarks
{
    private CachingManifestStore _manifests = null!;
    private CachingBlobIndex _blobs = null!;
    private BlobInfo _blob = null!;

    [GlobalSetup]
    public void Setup()
    {
        var payload = Samples.ImageManifest(layers: 5);
        var manifest = new StoredManifest(Digest.Parse(Samples.Sha256(payload)), "application/vnd.oci.image.manifest.v1+json", payload, null, null, null);
        _blob = new BlobInfo(Digest.Parse(Samples.Sha256("layer"u8)), 4096);
        var metadata = new InMemoryMetadata(manifest, "latest", _blob);
        var coherence = new CacheCoherence(serving: false);
        _manifests = new CachingManifestStore(metadata, metadata, coherence: coherence);
        _blobs = new CachingBlobIndex(metadata, coherence: coherence);
        coherence.Resume();
        if (ManifestByTagHit().GetAwaiter().GetResult() is null || BlobInRepositoryHit().GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException("the sample metadata did not answer");
        }
    }

    [Benchmark]
    public ValueTask<StoredManifest?> ManifestByTagHit() => _manifests.GetByTagAsync("library/app", "latest", CancellationToken.None);

    [Benchmark]
    public ValueTask<BlobInfo?> BlobInRepositoryHit() => _blobs.GetInRepositoryAsync("library/app", _blob.Digest, CancellationToken.None);
}
