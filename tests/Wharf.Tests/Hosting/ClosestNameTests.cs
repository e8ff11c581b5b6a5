using Wharf.Hosting;

namespace Wharf.Tests.Hosting;

public sealed class ClosestNameTests
{
    [Theory]
    [InlineData("Mdoe", "Mode")]          // two letters swapped
    [InlineData("mode", "Mode")]          // case only
    [InlineData("Realms", "Realm")]       // one letter too many
    [InlineData("Admns", "Admins")]       // one letter missing
    [InlineData("Thrott1e", "Throttle")]  // one letter wrong
    public void A_near_miss_gets_the_known_spelling(string typed, string expected)
    {
        Assert.Equal(expected, ClosestName.Find(typed, ["Mode", "Realm", "Admins", "Policies", "Throttle", "Token"]));
    }

    [Theory]
    [InlineData("Colour")]
    [InlineData("X")]
    [InlineData("Modalities")]
    public void Nothing_is_offered_when_nothing_is_close(string typed)
    {
        Assert.Null(ClosestName.Find(typed, ["Mode", "Realm", "Admins"]));
    }

    [Fact]
    public void The_closest_of_several_candidates_wins()
    {
        Assert.Equal("MaxSize", ClosestName.Find("MaxSiz", ["MaxPageSize", "MaxSize"]));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("ab", "ba", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_counts_edits_and_adjacent_swaps(string a, string b, int expected)
    {
        Assert.Equal(expected, ClosestName.Distance(a, b));
    }
}
