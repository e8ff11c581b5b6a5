using Wharf.Core.Protocol;

namespace Wharf.Tests.Core.Protocol;

public sealed class UploadIdTests
{
    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("ffffffffffffffffffffffffffffffff")]
    public void Thirty_two_lowercase_hex_characters_are_valid(string id) => Assert.True(UploadId.IsValid(id));

    [Theory]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    [InlineData("01234567-89ab-cdef-0123-456789ab")]
    [InlineData("../../../../../../../../../etc/x")]
    [InlineData("0123456789abcdef0123456789abcd/f")]
    public void Anything_else_is_invalid(string id) => Assert.False(UploadId.IsValid(id));

    [Fact]
    public void New_ids_are_valid_and_distinct()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => UploadId.New()).ToList();
        Assert.All(ids, id => Assert.True(UploadId.IsValid(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }
}
