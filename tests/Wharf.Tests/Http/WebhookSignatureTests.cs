using System.Text;
using Wharf.Http.Webhooks;

namespace Wharf.Tests.Http;

public sealed class WebhookSignatureTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_signature_carries_its_time_and_the_hmac_of_time_dot_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"events\":[]}");
        var header = WebhookSignature.Create("s3cret", At, body);

        // HMAC-SHA256 with key "s3cret" over "1796551200.{"events":[]}", computed independently of Wharf.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("s3cret"), Encoding.UTF8.GetBytes("1796551200.{\"events\":[]}")));
        Assert.Equal($"t=1796551200,v1={expected}", header);
        Assert.True(WebhookSignature.Verify("s3cret", header, body));
    }

    [Fact]
    public void A_changed_body_time_or_secret_does_not_verify()
    {
        var body = Encoding.UTF8.GetBytes("{\"events\":[]}");
        var header = WebhookSignature.Create("s3cret", At, body);

        Assert.False(WebhookSignature.Verify("s3cret", header, Encoding.UTF8.GetBytes("{\"events\":[1]}")));
        Assert.False(WebhookSignature.Verify("other", header, body));
        Assert.False(WebhookSignature.Verify("s3cret", header.Replace("t=1796551200", "t=1796551201", StringComparison.Ordinal), body));
        Assert.False(WebhookSignature.Verify("s3cret", "v1=00", body));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 8)]
    [InlineData(12, 600)]
    [InlineData(1000, 600)]
    public void Backoff_ceilings_double_from_the_minimum_up_to_the_maximum(int attempts, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), DeliveryBackoff.Ceiling(attempts, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Backoff_delays_are_spread_between_a_tenth_of_the_ceiling_and_the_ceiling()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 1000).Select(_ => DeliveryBackoff.Delay(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), random)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(1.6), TimeSpan.FromSeconds(16)));
        Assert.True(delays.Distinct().Count() > 900, "jittered delays should differ");
        Assert.InRange(delays.Average(d => d.TotalSeconds), 7.5, 10.1);
    }
}
