using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Wharf.Core.Mirror;
using Wharf.Hosting;

namespace Wharf.Tests.Core.Mirror;

/// <summary>The <c>Mirror</c> section is bound, validated and checked for unknown keys like every other section.</summary>
public sealed class MirrorOptionsTests
{
    [Fact]
    public void A_complete_section_binds_with_its_defaults()
    {
        var options = Bind(new()
        {
            ["Mirror:Default"] = "hub",
            ["Mirror:Upstreams:0:Prefix"] = "hub",
            ["Mirror:Upstreams:0:Url"] = "https://registry-1.docker.io",
            ["Mirror:Upstreams:0:LibraryPrefix"] = "true",
            ["Mirror:Upstreams:0:Namespaces:0"] = "docker.io",
            ["Mirror:Upstreams:1:Prefix"] = "ghcr",
            ["Mirror:Upstreams:1:Url"] = "https://ghcr.io",
            ["Mirror:Upstreams:1:Username"] = "bot",
            ["Mirror:Upstreams:1:Password"] = "secret",
        });

        Assert.Equal(2, options.Upstreams.Count);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Upstreams[0].TagTtl);
        Assert.True(options.Upstreams[0].LibraryPrefix);
        Assert.Equal(["docker.io"], options.Upstreams[0].Namespaces);
        Assert.Equal(128L * 1024 * 1024, options.AbandonedFetchLimit);
        Assert.Equal(TimeSpan.FromDays(7), options.EvictAfter);
        Assert.Empty(UnknownSettings.Find(InMemory(new() { ["Mirror:Upstreams:0:TagTtl"] = "00:01:00", ["Mirror:FetchTimeout"] = "00:10:00", ["Mirror:AbandonedFetchLimit"] = "0", ["Mirror:EvictAfter"] = "0" })));
    }

    [Theory]
    [InlineData("Mirror:Upstreams:0:Prefix", "Hub/x", "Upstreams:0: Prefix must be one repository name segment")]
    [InlineData("Mirror:Upstreams:0:Url", "ftp://example.com", "Upstreams:0: Url must be an absolute http:// or https:// address")]
    [InlineData("Mirror:Upstreams:0:Username", "bot", "Upstreams:0: Username and Password go together")]
    [InlineData("Mirror:Upstreams:0:TagTtl", "-00:00:01", "TagTtl")]
    [InlineData("Mirror:Default", "quay", "Default: 'quay' is not the prefix of a configured upstream")]
    [InlineData("Mirror:AbandonedFetchLimit", "-1", "AbandonedFetchLimit")]
    [InlineData("Mirror:Upstreams:1:Prefix", "hub", "Upstreams:1: the prefix 'hub' is used by another upstream")]
    [InlineData("Mirror:EvictAfter", "02:00:00", "EvictAfter must be 0 (never) or between 1.00:00:00 and 3650.00:00:00")]
    [InlineData("Mirror:EvictAfter", "-1.00:00:00", "EvictAfter must be 0")]
    public void A_bad_value_stops_the_start_naming_the_key(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mirror:Upstreams:0:Prefix"] = "hub",
            ["Mirror:Upstreams:0:Url"] = "https://registry-1.docker.io",
            ["Mirror:Upstreams:1:Prefix"] = "ghcr",
            ["Mirror:Upstreams:1:Url"] = "https://ghcr.io",
            [key] = value,
        };

        var error = Assert.Throws<OptionsValidationException>(() => Bind(settings));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_is_refused_with_a_suggestion()
    {
        var unknown = UnknownSettings.Find(InMemory(new() { ["Mirror:Upstreams:0:TagTTL2"] = "1" }));

        Assert.Single(unknown);
    }

    private static MirrorOptions Bind(Dictionary<string, string?> settings) => OptionSections.Bind<MirrorOptions>(InMemory(settings), "Mirror");

    private static IConfiguration InMemory(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
