using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// An out-of-process <c>wharf serve</c> with connection limits set through <c>WHARF_HTTP__…</c>, and what the
/// fault tests read from <c>/proc/&lt;pid&gt;</c>: open file descriptors and resident memory.
/// </summary>
internal sealed class ServerUnderStress : IAsyncDisposable
{
    private readonly TempDirectory _work = new("wharf-faults");
    private WharfProcess? _wharf;

    public Uri Address { get; private set; } = null!;

    public string DataDirectory => Path.Combine(_work.Path, "data");

    public WharfProcess Process => _wharf!;

    public HttpClient Client { get; private set; } = null!;

    public static async Task<ServerUnderStress> StartAsync(IReadOnlyDictionary<string, string> http)
    {
        var server = new ServerUnderStress();
        var environment = http.ToDictionary(p => "WHARF_HTTP__" + p.Key.ToUpperInvariant(), p => p.Value);
        server._wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", server.DataDirectory], environment);
        server.Address = await server._wharf.WaitUntilListeningAsync();
        server.Client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        return server;
    }

    /// <summary>Open file descriptors of the server (sockets, blob and upload files, the database).</summary>
    public int OpenFiles() => Directory.GetFiles($"/proc/{Process.Id}/fd").Length;

    /// <summary>Open file descriptors that are regular files under the data directory (blobs, uploads).</summary>
    public IReadOnlyList<string> OpenDataFiles() =>
    [
        .. Directory.GetFiles($"/proc/{Process.Id}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .OfType<string>()
            .Where(target => target.StartsWith(DataDirectory, StringComparison.Ordinal) && !target.Contains("wharf.db", StringComparison.Ordinal)),
    ];

    /// <summary>Resident memory of the server, in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Files under the data directory's uploads folder.</summary>
    public IReadOnlyList<string> UploadFiles() =>
        Directory.Exists(Path.Combine(DataDirectory, "uploads")) ? Directory.GetFiles(Path.Combine(DataDirectory, "uploads"), "*", SearchOption.AllDirectories) : [];

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="deadline"/> passes (then fails with <paramref name="what"/>).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan deadline, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < deadline, what());
            await Task.Delay(50);
        }
    }

    /// <summary>A connected socket to the server; <paramref name="receiveBuffer"/> (set before connecting) caps the window it offers.</summary>
    public async Task<Socket> ConnectAsync(int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(Address.Host, Address.Port);
        return socket;
    }

    /// <summary>Request line and headers for <paramref name="method"/> <paramref name="target"/>, ending with the blank line.</summary>
    public byte[] Head(string method, string target, params string[] headers) =>
        Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: {Address.Authority}\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n");

    /// <summary>Reads until the server closes the socket (or resets it), returning what arrived; fails after <paramref name="deadline"/>.</summary>
    public static async Task<string> ReadUntilClosedAsync(Socket socket, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        var received = new StringBuilder();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return received.ToString();
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, Math.Min(n, 512)));
            }
        }
        catch (SocketException)
        {
            return received.ToString();
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server did not close the connection within {deadline}; received: {received}");
            throw;
        }
    }

    /// <summary>Closes with a reset, as a crashed client or a pulled cable would.</summary>
    public static void Vanish(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_wharf is not null)
        {
            await _wharf.DisposeAsync();
        }

        _work.Dispose();
    }
}
