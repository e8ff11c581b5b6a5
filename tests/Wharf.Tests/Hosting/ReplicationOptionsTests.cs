using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Wharf.Hosting;
using Wharf.Http.Replication;

namespace Wharf.Tests.Hosting;

/// <summary>The <c>Replication</c> section: validated like every section, unknown keys refused, and the push rules' matching.</summary>
public sealed class ReplicationOptionsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Replication:Registries:0:Name"] = "dr",
        ["Replication:Registries:0:Url"] = "https://registry.dr.example",
        ["Replication:Registries:0:Username"] = "replicator",
        ["Replication:Registries:0:Password"] = "secret",
        ["Replication:Rules:0:Name"] = "releases",
        ["Replication:Rules:0:Direction"] = "push",
        ["Replication:Rules:0:Registry"] = "dr",
        ["Replication:Rules:0:Repositories:0"] = "apps/**",
        ["Replication:Rules:0:Tags:0"] = "v*",
        ["Replication:Rules:0:Referrers"] = "true",
    };

    [Fact]
    public void A_valid_section_binds_and_routes_only_matching_tags_of_matching_repositories()
    {
        var options = OptionSections.Bind<ReplicationOptions>(InMemory(Valid), "Replication");
        var routing = new ReplicationRouting(options);

        Assert.True(options.Enabled);
        Assert.Equal(["releases"], routing.PushRulesFor("apps/web", "v1.2"));
        Assert.Empty(routing.PushRulesFor("apps/web", "latest"));
        Assert.Empty(routing.PushRulesFor("base/alpine", "v1"));
        Assert.Empty(new ReplicationRouting(new ReplicationOptions()).PushRulesFor("apps/web", "v1"));
    }

    [Theory]
    [InlineData("Replication:Rules:0:Registry", "elsewhere", "Registry 'elsewhere' is not one of Registries")]
    [InlineData("Replication:Rules:0:Direction", "sideways", "Direction must be 'push' or 'pull'")]
    [InlineData("Replication:Rules:0:Interval", "00:00:01", "Interval")]
    [InlineData("Replication:Rules:0:Repositories:0", "Apps/**", "'Apps/**' is not a repository pattern")]
    [InlineData("Replication:Rules:0:Tags:0", "v 1", "'v 1' is not a tag pattern")]
    [InlineData("Replication:Registries:0:Url", "ftp://dr.example", "Url must be an absolute http:// or https:// address")]
    [InlineData("Replication:Registries:0:Password", null, "Username and Password go together")]
    [InlineData("Replication:MaxAttempts", "0", "MaxAttempts")]
    public void A_bad_value_is_refused_naming_it(string key, string? value, string message)
    {
        var settings = new Dictionary<string, string?>(Valid) { [key] = value };
        if (value is null)
        {
            settings.Remove(key);
        }

        var error = Assert.Throws<OptionsValidationException>(() => OptionSections.Bind<ReplicationOptions>(InMemory(settings), "Replication"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pull_rule_binds_with_its_interval_and_is_no_push_rule()
    {
        var settings = new Dictionary<string, string?>(Valid)
        {
            ["Replication:Rules:0:Direction"] = "pull",
            ["Replication:Rules:0:Repositories:0"] = "library/alpine",
            ["Replication:Rules:0:Interval"] = "01:00:00",
        };

        var options = OptionSections.Bind<ReplicationOptions>(InMemory(settings), "Replication");

        Assert.Equal((ReplicationDirections.Pull, TimeSpan.FromHours(1)), (options.Rules[0].Direction, options.Rules[0].Interval));
        Assert.Empty(new ReplicationRouting(options).PushRulesFor("library/alpine", "v1"));
        Assert.True(ReplicationPullPass.IsLiteral("library/alpine"));
        Assert.False(ReplicationPullPass.IsLiteral("library/*"));
    }

    [Fact]
    public void An_unknown_key_is_refused_with_its_closest_spelling()
    {
        var settings = new Dictionary<string, string?>(Valid) { ["Replication:Rules:0:Tag:0"] = "v*" };

        var problem = Assert.Single(UnknownSettings.Find(InMemory(settings)));

        Assert.Contains("unknown setting Replication:Rules:0:Tag", problem, StringComparison.Ordinal);
        Assert.Contains("Replication:Rules:0:Tags", problem, StringComparison.Ordinal);
    }

    private static IConfigurationRoot InMemory(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
