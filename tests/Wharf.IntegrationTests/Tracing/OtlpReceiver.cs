using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wharf.IntegrationTests.Tracing;

/// <summary>One request as the receiver got it.</summary>
public sealed record OtlpExport(string Path, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A real OTLP receiver on Kestrel at 127.0.0.1 on a free port, as a collector answers: over HTTP/1.1 (http/protobuf)
/// it accepts <c>POST /v1/traces</c> and answers 200 with an empty protobuf response; over cleartext HTTP/2 (grpc) it
/// accepts the <c>TraceService/Export</c> call and answers an empty message with <c>grpc-status: 0</c>. Each request's
/// protobuf message is kept (for grpc, without its 5-byte frame header).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<OtlpExport> _exports = new();

    private OtlpReceiver(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The receiver's root, e.g. <c>http://127.0.0.1:41234</c>: the OTLP endpoint a client is given.</summary>
    public Uri BaseAddress { get; private set; }

    public IReadOnlyList<OtlpExport> Exports => [.. _exports];

    public const string GrpcExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    public static async Task<OtlpReceiver> StartAsync(bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, new Uri("http://127.0.0.1/"));
        app.MapPost(grpc ? GrpcExportPath : "/v1/traces", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var message = grpc ? body.ToArray()[5..] : body.ToArray();
            receiver._exports.Enqueue(new OtlpExport(context.Request.Path, context.Request.ContentType, headers, message));
            context.Response.StatusCode = StatusCodes.Status200OK;
            if (!grpc)
            {
                context.Response.ContentType = "application/x-protobuf";
                return;
            }

            context.Response.ContentType = "application/grpc";
            context.Response.DeclareTrailer("grpc-status");
            await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted); // An uncompressed, empty ExportTraceServiceResponse.
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    /// <summary>Every span of every export received so far.</summary>
    public IReadOnlyList<OtlpSpan> Spans() => [.. Exports.SelectMany(e => OtlpTraces.Parse(e.Body))];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
