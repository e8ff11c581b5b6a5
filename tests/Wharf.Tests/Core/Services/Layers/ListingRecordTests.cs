using Wharf.Core.Services.Layers;

namespace Wharf.Tests.Core.Services.Layers;

public sealed class ListingRecordTests
{
    [Theory]
    [InlineData('-', 0b111_101_101, "-rwxr-xr-x")]
    [InlineData('-', 0b110_100_100, "-rw-r--r--")]
    [InlineData('d', 0b111_111_111 | 0x200, "drwxrwxrwt")]
    [InlineData('d', 0b111_111_110 | 0x200, "drwxrwxrwT")]
    [InlineData('-', 0b111_101_101 | 0x800, "-rwsr-xr-x")]
    [InlineData('-', 0b110_100_100 | 0x800, "-rwSr--r--")]
    [InlineData('d', 0b111_111_101 | 0x400, "drwxrwsr-x")]
    [InlineData('l', 0b111_111_111, "lrwxrwxrwx")]
    [InlineData('h', 0, "h---------")]
    public void Modes_read_like_tar_tv(char type, int mode, string expected) =>
        Assert.Equal(expected, ListingRecord.ModeText((byte)type, mode));

    [Theory]
    [InlineData("./", ".")]
    [InlineData(".", ".")]
    [InlineData("/", ".")]
    [InlineData("./etc/passwd", "etc/passwd")]
    [InlineData("/usr/bin/", "usr/bin")]
    [InlineData("././a//", "a")]
    [InlineData("a/./b", "a/./b")]
    [InlineData(".wh.x", ".wh.x")]
    public void Paths_are_normalised(string name, string expected) => Assert.Equal(expected, ListingBuilder.Normalize(name));

    [Fact]
    public void A_record_round_trips()
    {
        var record = ListingRecord.Encode(LayerEntryType.Symlink, (byte)'l', 0x1FF, 0, 1000, 1001, 1_700_000_000, "usr/bin/ünïcode", "../lib/target");

        var entry = ListingRecord.Decode(record.AsSpan(4));

        Assert.Equal(new LayerEntry("usr/bin/ünïcode", LayerEntryType.Symlink, 0, "lrwxrwxrwx", 1000, 1001, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).UtcDateTime, "../lib/target"), entry);
        Assert.Equal("usr/bin/ünïcode"u8.ToArray(), ListingRecord.Path(record).ToArray());
    }
}
