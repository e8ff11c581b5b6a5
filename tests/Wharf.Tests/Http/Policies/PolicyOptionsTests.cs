using System.ComponentModel.DataAnnotations;
using Wharf.Http.Policies;

namespace Wharf.Tests.Http.Policies;

/// <summary>Bad policy settings are refused at startup with a message naming the setting; good ones compile to what they say.</summary>
public sealed class PolicyOptionsTests
{
    private static List<string> Problems(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }

    [Fact]
    public void Immutable_tag_rules_need_valid_patterns()
    {
        var options = new PoliciesOptions { ImmutableTags = [new() { Repositories = "Prod/**", Tags = "v*" }, new() { Repositories = "prod/**", Tags = "v[1]" }] };

        var problems = Problems(options);

        Assert.Equal(2, problems.Count);
        Assert.Contains("Policies:ImmutableTags[0]:Repositories", problems[0], StringComparison.Ordinal);
        Assert.Contains("Policies:ImmutableTags[1]:Tags", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Immutable_tag_rules_compile_with_the_access_policy_globs()
    {
        var policy = new PoliciesOptions { ImmutableTags = [new() { Repositories = "*/base", Tags = "release-*" }] }.Compile();

        Assert.NotNull(policy.Match("team/base", "release-1"));
        Assert.Null(policy.Match("team/x/base", "release-1"));
        Assert.Null(policy.Match("team/base", "latest"));
        Assert.StartsWith("Policies:ImmutableTags[0] (repositories \"*/base\", tags \"release-*\")", policy.Rules[0].Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_rules_need_a_pattern_a_clause_and_valid_values()
    {
        var options = new RetentionOptions
        {
            Interval = "10s",
            Rules =
            [
                new() { Repositories = "ci/**" },
                new() { Repositories = "ci/**", KeepLast = -1, KeepTags = "(", DeleteOlderThan = "30 days", KeepPulledWithin = "1y" },
            ],
        };

        var problems = Problems(options);

        Assert.Contains(problems, p => p.StartsWith("Retention:Interval", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Retention:Rules[0] has no clause", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Retention:Rules[1]:KeepLast", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Retention:Rules[1]:KeepTags", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Retention:Rules[1]:DeleteOlderThan", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Retention:Rules[1]:KeepPulledWithin", StringComparison.Ordinal));
        Assert.Empty(Problems(new RetentionOptions { Interval = "6h", Rules = [new() { Repositories = "ci/**", KeepLast = 3 }] }));
        Assert.Null(new RetentionOptions().Period);
    }

    [Fact]
    public void Quotas_need_sizes_and_first_segment_namespaces()
    {
        var options = new QuotasOptions { Default = "lots", Namespaces = new() { ["team-a/app"] = "1GiB", ["ok"] = "ten" } };

        var problems = Problems(options);

        Assert.Equal(3, problems.Count);
        var policy = new QuotasOptions { Default = "1MB", Namespaces = new() { ["team-a"] = "2KiB" } }.Compile();
        Assert.Equal(2048, policy.QuotaOf("team-a"));
        Assert.Equal(1_000_000, policy.QuotaOf("other"));
        Assert.Null(new QuotasOptions().Compile().QuotaOf("other"));
    }
}
