namespace Wharf.FuzzTests.Harness;

/// <summary>The harness itself: each property it checks fails when broken, so a passing fuzz run means something.</summary>
public sealed class BoundedTests
{
    private static readonly Bounded.Allowance Small = new(64 * 1024, 16);

    [Fact]
    public void An_input_that_allocates_beyond_its_allowance_fails()
    {
        var failure = Assert.Throws<FuzzFailure>(() => Bounded.Run("self", "x", 10, Small, () => new byte[1024 * 1024].Length));
        Assert.Contains("allocated", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_within_its_allowance_passes()
    {
        Assert.Equal(1024, Bounded.Run("self", "x", 1024, Small, () => new byte[1024].Length));
    }

    [Fact]
    public void An_exception_fails_with_the_input_named()
    {
        var failure = Assert.Throws<FuzzFailure>(() => Bounded.Run<int>("self", "the input", 1, Small, () => throw new InvalidOperationException("boom")));
        Assert.Contains("InvalidOperationException", failure.Message, StringComparison.Ordinal);
        Assert.Contains("the input", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_that_never_ends_fails_as_a_hang()
    {
        var never = new TaskCompletionSource<int>();
        var failure = await Assert.ThrowsAsync<FuzzFailure>(() => Bounded.RunAsync("self", "x", 1, Small, TimeSpan.FromMilliseconds(50), () => never.Task));
        Assert.Contains("hang", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutations_replay_from_the_same_edits()
    {
        byte[][] seeds = [[1, 2, 3, 4, 5, 6, 7, 8], [9, 9, 9]];
        Edit[] edits = [new(0, 3, 1, 0), new(2, 0, 0, 0), new(6, 5, 1, 1), new(7, 0, 2, 3)];
        var once = Mutations.Apply(seeds, [[0x7B]], seeds[0], edits, 100);
        Assert.Equal(once, Mutations.Apply(seeds, [[0x7B]], seeds[0], edits, 100));
        Assert.NotEqual(seeds[0], once);
        Assert.True(Mutations.Apply(seeds, [], seeds[0], [new(7, 0, 63, 63)], 20).Length <= 20);
    }
}
