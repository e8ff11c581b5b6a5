using System.Net;
using System.Net.Sockets;

namespace Wharf.TestKit;

/// <summary>
/// A loopback TCP relay in front of an engine (PostgreSQL, the S3 gateway). <see cref="Cut"/> makes the engine
/// unreachable to whoever talks through the relay, dropping every open connection, without touching the engine
/// that other tests share; <see cref="Restore"/> brings it back on the same port. <see cref="HoldAfter"/> stops the
/// requests' bytes after a given count (connections stay open, nothing more reaches the engine) until <see cref="Release"/>,
/// to freeze a transfer in the middle.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private long _forwarded;
    private long _holdAfter = long.MaxValue;
    private TaskCompletionSource _released = NewSignal();
    private TaskCompletionSource _holding = NewSignal();

    public TcpRelay(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host), port);
        Port = Listen(0);
    }

    /// <summary>The relay's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Bytes relayed so far towards the engine (requests), over all connections.</summary>
    public long Forwarded
    {
        get
        {
            lock (_gate)
            {
                return _forwarded;
            }
        }
    }

    /// <summary>Completes once a request's bytes are held (see <see cref="HoldAfter"/>).</summary>
    public Task Holding
    {
        get
        {
            lock (_gate)
            {
                return _holding.Task;
            }
        }
    }

    /// <summary>Relays at most <paramref name="bytes"/> more bytes towards the engine, then holds the rest until <see cref="Release"/>.</summary>
    public void HoldAfter(long bytes)
    {
        lock (_gate)
        {
            _holdAfter = _forwarded + bytes;
            _released = NewSignal();
            _holding = NewSignal();
        }
    }

    /// <summary>Relays everything again, held bytes first.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _holdAfter = long.MaxValue;
            _released.TrySetResult();
        }
    }

    /// <summary>Closes the listener and every relayed connection.</summary>
    public void Cut()
    {
        _stop.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            foreach (var c in _open)
            {
                c.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void Restore()
    {
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        Listen(Port);
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>How many of <paramref name="wanted"/> bytes may go now (counted as forwarded), and what to wait for when none may.</summary>
    private (int Allowed, Task Released) Allowance(int wanted)
    {
        lock (_gate)
        {
            var left = _holdAfter - _forwarded;
            var allowed = (int)Math.Clamp(left, 0, wanted);
            _forwarded += allowed;
            if (allowed == 0)
            {
                _holding.TrySetResult();
            }

            return (allowed, _released.Task);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        var token = _stop.Token;
        _ = Task.Run(() => AcceptAsync(listener, token), CancellationToken.None);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_target, token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound, upstream: true, token);
            _ = PumpAsync(outbound, inbound, upstream: false, token);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool upstream, CancellationToken token)
    {
        try
        {
            var source = from.GetStream();
            var sink = to.GetStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, token)) > 0)
            {
                var sent = 0;
                while (upstream && sent < read)
                {
                    var (allowed, released) = Allowance(read - sent);
                    if (allowed > 0)
                    {
                        await sink.WriteAsync(buffer.AsMemory(sent, allowed), token);
                        sent += allowed;
                    }
                    else
                    {
                        await released.WaitAsync(token);
                    }
                }

                if (!upstream)
                {
                    await sink.WriteAsync(buffer.AsMemory(0, read), token);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
