using System.Net;

namespace Wharf.EndToEndTests.Crash;

/// <summary>
/// A request body that tells the kill switch where it is: after half of it is written and flushed (<paramref name="midway"/>,
/// which may hold the rest back until the server is dead) and after all of it is written (<paramref name="sent"/>).
/// Without a length the body goes out chunked, as a streamed PATCH does.
/// </summary>
internal sealed class ProbedContent(byte[] bytes, bool knownLength, Func<Task>? midway, Action? sent) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var half = bytes.Length / 2;
        await stream.WriteAsync(bytes.AsMemory(0, half));
        if (midway is not null)
        {
            await stream.FlushAsync();
            await midway();
        }

        await stream.WriteAsync(bytes.AsMemory(half));
        await stream.FlushAsync();
        sent?.Invoke();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return knownLength;
    }
}
