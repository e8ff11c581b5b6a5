using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Wharf.Hosting;

namespace Wharf.Tests.Hosting;

public sealed class UnknownSettingsTests
{
    [Fact]
    public void Every_known_kind_of_key_passes_objects_lists_maps_and_nested_sections()
    {
        var configuration = InMemory(new()
        {
            ["Listen"] = "127.0.0.1:5000",
            ["data"] = "./data",
            ["Tls:Certificate"] = "cert.pem",
            ["AUTH:MODE"] = "token",
            ["Auth:Admins:0"] = "alice",
            ["Auth:Policies:0:Repositories"] = "team/**",
            ["Auth:Policies:0:Actions:1"] = "push",
            ["Auth:Token:TrustedIssuers:0:Issuer"] = "idp",
            ["Quotas:Namespaces:team-a"] = "10GiB",
            ["Storage:S3:Bucket"] = "b",
            ["Metadata:PostgreSql:ConnectionString"] = "Host=db",
            ["Http:TrustedProxies:0"] = "10.0.0.1",
            ["Http:KeepAliveTimeout"] = "00:01:00",
            ["Health:Timeout"] = "00:00:02",
            ["Shutdown:DrainTime"] = "00:00:30",
            ["Gc:UntaggedManifests:Policy"] = "Keep",
            ["Logging:LogLevel:Wharf.Http"] = "Debug",
        });

        Assert.Empty(UnknownSettings.Find(configuration));
    }

    [Theory]
    [InlineData("Auth:Mdoe", "unknown setting Auth:Mdoe; did you mean Auth:Mode?")]
    [InlineData("auth:mdoe", "unknown setting Auth:mdoe; did you mean Auth:Mode?")]
    [InlineData("Uplods:ExpireAfter", "unknown setting Uplods; did you mean Uploads?")]
    [InlineData("Storage:S3:Buckett", "unknown setting Storage:S3:Buckett; did you mean Storage:S3:Bucket?")]
    [InlineData("Auth:Policies:0:Repository", "unknown setting Auth:Policies:0:Repository; did you mean Auth:Policies:0:Repositories?")]
    [InlineData("Colour", "unknown setting Colour")]
    [InlineData("Auth:Admins:first", "unknown setting Auth:Admins:first: Auth:Admins is a list, indexed 0, 1, 2…")]
    [InlineData("Listen:Port", "unknown setting Listen:Port: Listen is a value and has no settings below it")]
    public void An_unknown_key_is_named_with_its_closest_spelling(string key, string expected)
    {
        var problems = UnknownSettings.Find(InMemory(new() { [key] = "x" }));

        Assert.Equal([expected], problems);
    }

    [Fact]
    public void Every_unknown_key_is_reported_at_once_and_startup_refuses_them()
    {
        var configuration = InMemory(new() { ["Auth:Mdoe"] = "basic", ["Pagination:MaxPageSiz"] = "10", ["Listen"] = "127.0.0.1:0" });

        var error = Assert.Throws<OptionsValidationException>(() => UnknownSettings.Check(configuration));

        Assert.Equal(2, error.Failures.Count());
        Assert.Contains("unknown setting Auth:Mdoe; did you mean Auth:Mode?", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown setting Pagination:MaxPageSiz; did you mean Pagination:MaxPageSize?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variables_count_by_section_but_single_word_ones_of_other_tools_do_not()
    {
        var name = "WHARF_UNKNOWNSETTINGSTEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name + "__MDOE", "x");
        Environment.SetEnvironmentVariable("WHARF_ENGINES_DIR_" + name, "/tmp");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables("WHARF_").Build();

            var problems = UnknownSettings.Find(configuration);

            var problem = Assert.Single(problems, p => p.Contains(name["WHARF_".Length..], StringComparison.OrdinalIgnoreCase));
            Assert.Contains($"(environment variable {name}__MDOE)", problem, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(problems, p => p.Contains("ENGINES_DIR", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name + "__MDOE", null);
            Environment.SetEnvironmentVariable("WHARF_ENGINES_DIR_" + name, null);
        }
    }

    [Fact]
    public void A_single_word_environment_variable_close_to_a_top_level_setting_is_refused()
    {
        Environment.SetEnvironmentVariable("WHARF_LISTN", "127.0.0.1:1");
        try
        {
            var problems = UnknownSettings.Find(new ConfigurationBuilder().AddEnvironmentVariables("WHARF_").Build());

            Assert.Contains("unknown setting LISTN; did you mean Listen? (environment variable WHARF_LISTN)", problems);
        }
        finally
        {
            Environment.SetEnvironmentVariable("WHARF_LISTN", null);
        }
    }

    private static IConfigurationRoot InMemory(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
