using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Wharf.Core.Services;
using Wharf.Hosting;

namespace Wharf.Tests.Hosting;

/// <summary>A section read before the container exists is bound and validated exactly as the container validates it at start.</summary>
public sealed class OptionSectionsTests
{
    [Fact]
    public void Bind_gives_the_value_the_container_binds()
    {
        var configuration = InMemory(new() { ["Uploads:ExpireAfter"] = "02:00:00", ["Listen"] = "0.0.0.0:5001" });

        Assert.Equal(TimeSpan.FromHours(2), OptionSections.Bind<UploadOptions>(configuration, "Uploads").ExpireAfter);
        Assert.Equal("0.0.0.0:5001", OptionSections.Bind<WharfOptions>(configuration, "").Listen);
        Assert.Equal(new CacheOptions().Enabled, OptionSections.Bind<CacheOptions>(configuration, "Cache").Enabled);
    }

    [Theory]
    [InlineData("Uploads:ExpireAfter", "00:00:00")]
    [InlineData("Metrics:Path", "/v2/metrics")]
    [InlineData("Storage:Driver", "S3")]
    [InlineData("Metadata:PostgreSql:Schema", "Not-An-Identifier")]
    public void A_bad_section_fails_Bind_with_the_message_the_container_gives_at_start(string key, string value)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Metadata", StringComparison.Ordinal))
        {
            settings["Metadata:Driver"] = "PostgreSql";
            settings["Metadata:PostgreSql:ConnectionString"] = "Host=db";
        }

        var configuration = InMemory(settings);
        var section = OptionSections.All.First(s => key.StartsWith(s.Name + ":", StringComparison.Ordinal));
        var services = new ServiceCollection();
        section.Register(services, configuration);
        using var container = services.BuildServiceProvider();
        var atStart = Assert.Throws<OptionsValidationException>(() => section.Resolve(container));

        var bind = typeof(OptionSections).GetMethod(nameof(OptionSections.Bind))!.MakeGenericMethod(section.Type);
        var early = Assert.Throws<OptionsValidationException>(() => Unwrap(() => bind.Invoke(null, [configuration, section.Name])));

        Assert.Equal(atStart.Message, early.Message);
    }

    [Fact]
    public void A_driver_without_its_subsection_is_refused_naming_the_subsection()
    {
        var error = Assert.Throws<OptionsValidationException>(() => OptionSections.Bind<StorageOptions>(InMemory(new() { ["Storage:Driver"] = "S3" }), "Storage"));

        Assert.Contains("Storage:S3 is required by the chosen driver", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_subsection_is_refused_naming_its_path()
    {
        var configuration = InMemory(new() { ["Metadata:Driver"] = "PostgreSql", ["Metadata:PostgreSql:ConnectionString"] = "Host=db", ["Metadata:PostgreSql:Schema"] = "Bad-Schema" });

        var error = Assert.Throws<OptionsValidationException>(() => OptionSections.Bind<MetadataOptions>(configuration, "Metadata"));

        Assert.Contains("Metadata:PostgreSql: Schema must be a lowercase SQL identifier", error.Message, StringComparison.Ordinal);
    }

    private static void Unwrap(Action action)
    {
        try
        {
            action();
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    private static IConfigurationRoot InMemory(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
