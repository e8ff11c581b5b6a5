namespace Wharf.EndToEndTests.Webhooks;

/// <summary>What the receiver must have seen of a sequence of pushes: at-least-once delivery in order per repository.</summary>
internal static class DeliveryAssert
{
    /// <summary>
    /// Every push has an accepted event (its repository, tag and digest); any event received twice is the same event
    /// (same content under the same id); per repository, the first arrivals of the events follow the push order;
    /// no event arrived that nobody pushed. With <paramref name="exactlyOnce"/>, no event arrived twice either.
    /// </summary>
    public static void EveryPushArrivedInOrder(IReadOnlyList<PushedManifest> pushes, IReadOnlyList<Notification> accepted, bool exactlyOnce)
    {
        var byId = accepted.GroupBy(n => n.Id).ToList();
        foreach (var sends in byId)
        {
            Assert.True(sends.All(s => s.Content == sends.First().Content), $"event {sends.Key} arrived {sends.Count()} times with different contents:\n"
                + string.Join("\n", sends.Select(s => s.Content)));
        }

        var duplicates = byId.Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        if (exactlyOnce)
        {
            Assert.True(duplicates.Count == 0, $"events delivered more than once: {string.Join(", ", duplicates)}");
        }

        var first = byId.Select(g => g.First()).ToList();
        Assert.All(first, n => Assert.Equal("push", n.Action));
        var expected = pushes.Select(p => (p.Repository, p.Tag, p.Digest)).ToHashSet();
        var unexpected = first.Where(n => !expected.Contains((n.Repository, n.Tag!, n.Digest!))).Select(n => $"{n.Repository}:{n.Tag}@{n.Digest}").ToList();
        Assert.True(unexpected.Count == 0, $"events for pushes that did not happen: {string.Join(", ", unexpected)}");
        Assert.Equal(pushes.Count, first.Count);

        foreach (var repository in pushes.Select(p => p.Repository).Distinct())
        {
            var pushed = pushes.Where(p => p.Repository == repository).Select(p => p.Tag).ToList();
            var arrived = first.Where(n => n.Repository == repository).Select(n => n.Tag!).ToList();
            Assert.True(pushed.SequenceEqual(arrived), $"{repository}: pushed {string.Join(" ", pushed)} but the first arrivals came as {string.Join(" ", arrived)}");
        }
    }
}
