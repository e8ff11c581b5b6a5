using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;
using Wharf.Core.Metadata.Caching;
using Wharf.Core.Services;

namespace Wharf.Http;

public static class MetadataCacheRegistration
{
    /// <summary>
    /// Wraps the registered blob index and manifest store with in-process caches. Only correct when this
    /// process is the only writer of the metadata store (the single-node setup). Each cache holds at most
    /// what <paramref name="options"/> allows, so memory levels off however much the registry stores.
    /// </summary>
    public static IServiceCollection AddWharfMetadataCaches(this IServiceCollection services, CacheOptions options)
    {
        var blobs = Take<IBlobIndex>(services);
        var reader = Take<IManifestReader>(services);
        var writer = Take<IManifestWriter>(services);
        services.AddSingleton<IBlobIndex>(sp => new CachingBlobIndex(Create<IBlobIndex>(sp, blobs), options.BlobEntries));
        services.AddSingleton(sp => new CachingManifestStore(Create<IManifestReader>(sp, reader), Create<IManifestWriter>(sp, writer), options.ManifestBytes));
        services.AddSingleton<IManifestReader>(sp => sp.GetRequiredService<CachingManifestStore>());
        services.AddSingleton<IManifestWriter>(sp => sp.GetRequiredService<CachingManifestStore>());
        services.AddSingleton<IMetadataChangeObserver>(sp => (CachingBlobIndex)sp.GetRequiredService<IBlobIndex>());
        services.AddSingleton<IMetadataChangeObserver>(sp => sp.GetRequiredService<CachingManifestStore>());
        return services;
    }

    private static ServiceDescriptor Take<T>(IServiceCollection services)
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(descriptor);
        return descriptor;
    }

    private static T Create<T>(IServiceProvider provider, ServiceDescriptor descriptor) => (T)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
