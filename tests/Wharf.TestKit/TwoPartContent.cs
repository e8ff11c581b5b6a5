using System.Net;

namespace Wharf.TestKit;

/// <summary>A request body that sends its first <c>split</c> bytes at once and the rest when <c>release</c> completes: a request the server holds in progress for as long as a test needs.</summary>
public sealed class TwoPartContent(byte[] bytes, int split, Task release) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(bytes.AsMemory(0, split));
        await stream.FlushAsync();
        await release;
        await stream.WriteAsync(bytes.AsMemory(split));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
