using System.Data.Common;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wharf.Core.Storage;
using Wharf.Http.Middleware;

namespace Wharf.Tests.Http.Middleware;

public sealed class RegistryExceptionMiddlewareTests
{
    private const int NoSpaceLeft = 28; // ENOSPC, as .NET reports it in IOException.HResult on Linux

    public static TheoryData<Exception> Unreachable() => new()
    {
        new StorageUnavailableException("the object store is unavailable: Connection refused"),
        new FakeDbException("57P01", "terminating connection due to administrator command"),
        new FakeDbException("57P03", "the database system is starting up"),
        new InvalidOperationException("wrapped", new SocketException((int)SocketError.ConnectionRefused)),
    };

    public static TheoryData<Exception> Full() => new()
    {
        new IOException("No space left on device", NoSpaceLeft),
        new InvalidOperationException("wrapped", new IOException("No space left on device", NoSpaceLeft)),
        new StorageFullException("the database file's disk is full"),
        new FakeDbException("53100", "could not extend file"),
    };

    [Theory]
    [MemberData(nameof(Unreachable))]
    public async Task An_unreachable_engine_answers_503_with_Retry_After_and_logs_one_line_without_a_stack(Exception fault)
    {
        var (context, body, log) = await RunAsync(fault);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        Assert.Contains("\"code\":\"UNAVAILABLE\"", body, StringComparison.Ordinal);
        var entry = Assert.Single(log);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Null(entry.Exception);
        Assert.DoesNotContain('\n', entry.Message);
    }

    [Theory]
    [MemberData(nameof(Full))]
    public async Task A_full_disk_answers_507_and_logs_one_line_without_a_stack(Exception fault)
    {
        var (context, body, log) = await RunAsync(fault);

        Assert.Equal(507, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
        Assert.Contains("\"code\":\"UNAVAILABLE\"", body, StringComparison.Ordinal);
        Assert.Contains("storage is full", body, StringComparison.Ordinal);
        var entry = Assert.Single(log);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Null(entry.Exception);
        Assert.Contains("storage full", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_other_fault_is_a_500_logged_with_its_exception()
    {
        var fault = new InvalidOperationException("a bug");
        var (context, body, log) = await RunAsync(fault);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Contains("\"code\":\"UNKNOWN\"", body, StringComparison.Ordinal);
        Assert.Same(fault, Assert.Single(log).Exception);
    }

    private static async Task<(HttpContext Context, string Body, List<LogEntry> Log)> RunAsync(Exception fault)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "PUT";
        context.Request.Path = "/v2/team/app/manifests/v1";
        using var body = new MemoryStream();
        context.Response.Body = body;
        var logger = new CapturingLogger();
        var middleware = new RegistryExceptionMiddleware(_ => throw fault, logger);

        await middleware.InvokeAsync(context);

        return (context, System.Text.Encoding.UTF8.GetString(body.ToArray()), logger.Entries);
    }

    internal sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);

    private sealed class CapturingLogger : ILogger<RegistryExceptionMiddleware>
    {
        public List<LogEntry> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add(new LogEntry(logLevel, formatter(state, exception), exception));
    }

    private sealed class FakeDbException(string sqlState, string message) : DbException(message)
    {
        public override string SqlState => sqlState;
    }
}
