using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>
/// A loopback relay in front of an upstream registry that records every request line sent through it and can hold
/// back the upstream's answers after a number of bytes (<see cref="Hold"/>), so a test sees what clients get while a
/// fetch is still under way. <see cref="Cut"/> makes the upstream unreachable.
/// </summary>
public sealed class GatedRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly List<string> _requests = [];
    private readonly object _gate = new();
    private TaskCompletionSource _budgetRaised = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sent;
    private long _budget = long.MaxValue;
    private bool _cut;

    public GatedRelay(Uri upstream)
    {
        _target = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>The request lines ("GET /v2/… HTTP/1.1") sent upstream so far.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>From now on, lets only <paramref name="bytes"/> more bytes of answers through until <see cref="Open"/>.</summary>
    public void Hold(long bytes)
    {
        lock (_gate)
        {
            _budget = _sent + bytes;
        }
    }

    public void Open()
    {
        TaskCompletionSource raised;
        lock (_gate)
        {
            _budget = long.MaxValue;
            raised = _budgetRaised;
            _budgetRaised = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        raised.TrySetResult();
    }

    /// <summary>Drops every connection and refuses new ones.</summary>
    public void Cut()
    {
        lock (_open)
        {
            _cut = true;
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Restore()
    {
        lock (_open)
        {
            _cut = false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        Open();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        lock (_open)
        {
            if (_cut)
            {
                client.Dispose();
                return;
            }

            _open.Add(client);
            _open.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            var up = RecordAndCopyAsync(client.GetStream(), upstream.GetStream());
            var down = GatedCopyAsync(upstream.GetStream(), client.GetStream());
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }
        finally
        {
            client.Dispose();
            lock (_open)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }
        }
    }

    private async Task RecordAndCopyAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        var pending = new StringBuilder();
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            pending.Append(Encoding.Latin1.GetString(buffer, 0, read));
            var text = pending.ToString();
            int end;
            while ((end = text.IndexOf("\r\n", StringComparison.Ordinal)) >= 0)
            {
                var line = text[..end];
                if (line.Contains(" /v2/", StringComparison.Ordinal) && line.EndsWith(" HTTP/1.1", StringComparison.Ordinal))
                {
                    lock (_requests)
                    {
                        _requests.Add(line);
                    }
                }

                text = text[(end + 2)..];
            }

            pending.Clear().Append(text);
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    private async Task GatedCopyAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            var offset = 0;
            while (offset < read)
            {
                var allowed = await TakeAsync(read - offset);
                await to.WriteAsync(buffer.AsMemory(offset, allowed), _stop.Token);
                offset += allowed;
            }
        }
    }

    private async Task<int> TakeAsync(int wanted)
    {
        while (true)
        {
            Task raised;
            lock (_gate)
            {
                var left = _budget - _sent;
                if (left > 0)
                {
                    var granted = (int)Math.Min(left, wanted);
                    _sent += granted;
                    return granted;
                }

                raised = _budgetRaised.Task;
            }

            await raised.WaitAsync(_stop.Token);
        }
    }
}
