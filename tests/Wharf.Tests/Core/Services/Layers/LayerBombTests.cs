using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using Wharf.Core.Services.Layers;

namespace Wharf.Tests.Core.Services.Layers;

/// <summary>
/// Hostile layers for the file browser: each listing ends within the limits, says <c>truncated</c>, and comes back
/// within a time bound. Sizes come from <c>WHARF_TEST_BOMB_MIB</c> (uncompressed size of the zero-filled bombs, default
/// 64) and <c>WHARF_TEST_BOMB_TAR_ENTRIES</c> (entries of the many-entry tar, default 200,000); <c>./test.sh --heavy</c>
/// sets 1024 and 1,000,000.
/// </summary>
public sealed class LayerBombTests() : LayerListingTestBase("wharf-layer-bombs")
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static long BombBytes => (long)Size("WHARF_TEST_BOMB_MIB", 64) << 20;

    [Fact]
    public async Task A_gzip_layer_that_expands_a_thousandfold_stops_at_the_uncompressed_budget()
    {
        var digest = await StoreAsync(Compress(ZeroTar(BombBytes), s => new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true)));
        await AssertTruncatedWithinBoundAsync(digest, new LayerBrowserOptions { MaxUncompressedBytes = BombBytes / 4 }, ["a-first", "b-zeros"]);
    }

    [Fact]
    public async Task A_zstd_layer_that_expands_a_thousandfold_stops_at_the_uncompressed_budget()
    {
        var digest = await StoreAsync(Compress(ZeroTar(BombBytes), s => new ZstdSharp.CompressionStream(s, 1, leaveOpen: true)));
        await AssertTruncatedWithinBoundAsync(digest, new LayerBrowserOptions { MaxUncompressedBytes = BombBytes / 4 }, ["a-first", "b-zeros"]);
    }

    [Fact]
    public async Task A_tar_of_very_many_entries_stops_at_the_entry_limit()
    {
        var entries = Size("WHARF_TEST_BOMB_TAR_ENTRIES", 200_000);
        var tar = new MemoryStream();
        await using (var gzip = new GZipStream(tar, CompressionLevel.Fastest, leaveOpen: true))
        await using (var writer = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
        {
            for (var i = 0; i < entries; i++)
            {
                await writer.WriteEntryAsync(new GnuTarEntry(TarEntryType.RegularFile, string.Create(CultureInfo.InvariantCulture, $"f{i:D7}")));
            }
        }

        var digest = await StoreAsync(tar.ToArray());
        var options = new LayerBrowserOptions { MaxEntries = entries / 2 };
        using var service = Service(options);
        var clock = Stopwatch.StartNew();

        var page = await service.GetPageAsync(Repository, digest, null, 1, 10, CancellationToken.None);

        Assert.True(clock.Elapsed < Bound, $"listing took {clock.Elapsed}");
        Assert.True(page.Value.Truncated);
        Assert.Equal(entries / 2, page.Value.Total);
    }

    [Fact]
    public async Task An_entry_with_a_ten_megabyte_name_of_nested_directories_stops_the_listing_instead_of_implying_them_all()
    {
        // "a/a/a/…": five million ancestors, each an implied directory as long as its prefix (terabytes) if listed.
        var deep = string.Concat(Enumerable.Repeat("a/", 5 << 20)) + "f";
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "first"));
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, deep));
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "last"));
        }

        var digest = await StoreAsync(Gzip(tar.ToArray()));
        await AssertTruncatedWithinBoundAsync(digest, new LayerBrowserOptions(), ["first"]);
    }

    [Fact]
    public async Task Implied_directories_count_against_the_listing_budget()
    {
        // A 16 KiB path of 8,192 levels is one small record, but implies 8,192 directories of 32 MiB in all.
        var deep = string.Concat(Enumerable.Repeat("a/", 8 << 10)) + "f";
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "first"));
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, deep));
        }

        var digest = await StoreAsync(Gzip(tar.ToArray()));
        await AssertTruncatedWithinBoundAsync(digest, new LayerBrowserOptions { MaxListingBytes = 1 << 20 }, ["first"]);
    }

    [Fact]
    public async Task A_pax_header_of_half_a_gigabyte_is_not_read_into_memory()
    {
        var digest = await StoreAsync(Compress(output =>
        {
            WriteRawHeader(output, "first", (byte)'0', 0);
            WriteRawHeader(output, "PaxHeaders/huge", (byte)'x', 512L << 20);
            new ZeroStream(512L << 20).CopyTo(output);
            WriteRawHeader(output, "after", (byte)'0', 0);
        }, s => new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true)));
        var resident = Environment.WorkingSet;

        await AssertTruncatedWithinBoundAsync(digest, new LayerBrowserOptions(), ["first"]);

        // The tar reader rents a buffer of the declared size before reading; the read is refused, so its pages are
        // never touched (reading the header into it made 512 MiB resident).
        var more = Environment.WorkingSet - resident;
        Assert.True(more < 128L << 20, $"{more >> 20} MiB more resident after listing");
    }

    [Fact]
    public async Task A_pax_header_declaring_more_than_any_array_holds_ends_the_listing_as_damaged()
    {
        var digest = await StoreAsync(Compress(output =>
        {
            WriteRawHeader(output, "first", (byte)'0', 0);
            WriteRawHeader(output, "PaxHeaders/huge", (byte)'x', uint.MaxValue);
            output.Write(new byte[4096]);
        }, s => new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true)));

        await AssertTruncatedWithinBoundAsync(digest, new LayerBrowserOptions(), ["first"]);
    }

    /// <summary>A ustar header of <paramref name="type"/> declaring <paramref name="size"/> bytes (no data written).</summary>
    private static void WriteRawHeader(Stream output, string name, byte type, long size)
    {
        var header = new byte[512];
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        System.Text.Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        System.Text.Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        System.Text.Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        System.Text.Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = type;
        System.Text.Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        "        "u8.CopyTo(header.AsSpan(148));
        var sum = header.Sum(b => b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        output.Write(header);
    }

    private async Task AssertTruncatedWithinBoundAsync(Wharf.Core.Protocol.Digest digest, LayerBrowserOptions options, string[] expected)
    {
        using var service = Service(options);
        var clock = Stopwatch.StartNew();

        var page = await service.GetPageAsync(Repository, digest, null, 1, 100, CancellationToken.None);
        var children = await service.GetChildrenAsync(Repository, digest, null, 1, 100, CancellationToken.None);

        Assert.True(clock.Elapsed < Bound, $"listing took {clock.Elapsed}");
        Assert.True(page.Value.Truncated);
        Assert.Equal(expected, page.Value.Entries.Select(e => e.Path));
        Assert.True(children.Value.Truncated);
    }

    /// <summary>A tar of a small file, then <paramref name="zeros"/> zero bytes as one file, then another small file.</summary>
    private static Action<Stream> ZeroTar(long zeros) => output =>
    {
        using var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "a-first") { DataStream = new MemoryStream([1, 2, 3]) });
        writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "b-zeros") { DataStream = new ZeroStream(zeros) });
        writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "c-after") { DataStream = new MemoryStream([4]) });
    };

    /// <summary>Streams the tar through a compressor into memory (only the compressed bytes are held).</summary>
    private static byte[] Compress(Action<Stream> tar, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compressed = compressor(output))
        {
            tar(compressed);
        }

        return output.ToArray();
    }

    private static int Size(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>A read-only stream of <c>length</c> zero bytes that allocates nothing (seekable, as the tar writer needs).</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => _position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) =>
            _position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
