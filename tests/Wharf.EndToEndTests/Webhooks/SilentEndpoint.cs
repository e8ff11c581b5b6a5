using System.Net;
using System.Net.Sockets;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>
/// A webhook endpoint that takes connections and never answers, as a receiver that hangs. Disposing closes every
/// connection, so a sender still waiting fails at once instead of at its timeout.
/// </summary>
internal sealed class SilentEndpoint : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];
    private readonly Task _accepting;

    public SilentEndpoint()
    {
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/events");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>How many connections it has taken (and held).</summary>
    public int Connections
    {
        get
        {
            lock (_held)
            {
                return _held.Count;
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_held)
        {
            foreach (var socket in _held)
            {
                socket.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync();
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
