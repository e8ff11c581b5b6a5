using Microsoft.Extensions.Options;
using Wharf.Core.Services;

namespace Wharf.Hosting;

/// <summary>
/// One options section: its name in the configuration and the class it binds to. <see cref="Register"/> binds it and
/// validates it the one way every section is validated (data annotations, at start); <see cref="Resolve"/> reads the
/// bound value, which throws <see cref="OptionsValidationException"/> when it is invalid.
/// </summary>
internal sealed record OptionSection(string Name, Type Type, Action<IServiceCollection, IConfiguration> Register, Func<IServiceProvider, object> Resolve)
{
    /// <param name="name">The section's key; empty for the top of the tree (<see cref="WharfOptions"/>).</param>
    /// <param name="singleton">Also register the bound value itself; off for sections whose services register their own.</param>
    public static OptionSection Of<T>(string name, bool singleton = true)
        where T : class => new(
            name,
            typeof(T),
            (services, configuration) =>
            {
                services.AddOptions<T>().Bind(name.Length == 0 ? configuration : configuration.GetSection(name)).ValidateDataAnnotations().ValidateOnStart();
                if (singleton)
                {
                    services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
                }
            },
            sp => sp.GetRequiredService<IOptions<T>>().Value);
}

/// <summary>
/// Every options section Wharf reads, named once: the host registers each (<see cref="WharfHost"/>), <c>wharf config
/// validate</c> resolves each, and the strict check of unknown keys takes its schema from them.
/// </summary>
internal static class OptionSections
{
    public static IReadOnlyList<OptionSection> All { get; } =
    [
        OptionSection.Of<UploadOptions>("Uploads"),
        OptionSection.Of<ManifestOptions>("Manifests"),
        OptionSection.Of<PaginationOptions>("Pagination"),
        OptionSection.Of<BlobOptions>("Blobs"),
        OptionSection.Of<Wharf.Core.Services.Layers.LayerBrowserOptions>("LayerBrowser"),
        OptionSection.Of<SearchOptions>("Search"),
        OptionSection.Of<UsageOptions>("Usage"),
        OptionSection.Of<Wharf.Core.Services.Gc.GcOptions>("Gc"),
        OptionSection.Of<Wharf.Http.Policies.PoliciesOptions>("Policies"),
        OptionSection.Of<Wharf.Http.Policies.RetentionOptions>("Retention"),
        OptionSection.Of<Wharf.Http.Policies.QuotasOptions>("Quotas"),
        OptionSection.Of<Wharf.Http.Middleware.PublicAddressOptions>("Http"),
        OptionSection.Of<HttpLimitsOptions>("Http"),
        OptionSection.Of<CacheOptions>("Cache"),
        OptionSection.Of<Wharf.Http.Audit.AuditOptions>("Audit"),
        OptionSection.Of<Wharf.Http.Health.HealthOptions>("Health"),
        OptionSection.Of<Wharf.Http.Health.ShutdownOptions>("Shutdown"),
        OptionSection.Of<MetricsOptions>("Metrics"),
        OptionSection.Of<Wharf.Http.Webhooks.WebhooksOptions>("Webhooks"),
        OptionSection.Of<Wharf.Http.Replication.ReplicationOptions>("Replication"),
        OptionSection.Of<TracingOptions>("Tracing"),
        OptionSection.Of<MemoryOptions>("Memory"),
        OptionSection.Of<Wharf.Core.Mirror.MirrorOptions>("Mirror"),

        // These three choose services, so they are also read (and checked) before the container exists.
        OptionSection.Of<StorageOptions>("Storage"),
        OptionSection.Of<MetadataOptions>("Metadata"),
        OptionSection.Of<Wharf.Auth.AuthOptions>("Auth", singleton: false),
    ];

    /// <summary>
    /// Reads a section needed before the container exists (it chooses services, Kestrel's ports or the log format): it is
    /// registered exactly as the host registers it, in a container of its own, and resolved. So it is bound and validated
    /// the one way every section is (data annotations and any <see cref="IValidateOptions{TOptions}"/>), and a bad value
    /// throws the <see cref="OptionsValidationException"/> that ValidateOnStart would.
    /// </summary>
    /// <param name="name">The section's key; empty for the top of the tree.</param>
    public static T Bind<T>(IConfiguration configuration, string name)
        where T : class
    {
        var services = new ServiceCollection();
        OptionSection.Of<T>(name, singleton: false).Register(services, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }
}
