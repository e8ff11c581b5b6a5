using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;
using Wharf.Core.Metadata.Caching;
using Wharf.Core.Services;

namespace Wharf.Http;

public static class MetadataCacheRegistration
{
    /// <summary>
    /// Wraps the registered blob index and manifest store with in-process caches. Each cache holds at most what
    /// <paramref name="options"/> allows, so memory levels off however much the registry stores. With
    /// <paramref name="shared"/> (other processes write the store too) the caches start suspended: they serve once a
    /// listener hears every change and resumes them (<see cref="CacheCoherence"/>; on PostgreSQL the host's cache
    /// listener), so a process without one (a <c>wharf</c> command) reads the store.
    /// </summary>
    public static IServiceCollection AddWharfMetadataCaches(this IServiceCollection services, CacheOptions options, bool shared = false)
    {
        var blobs = Take<IBlobIndex>(services);
        var reader = Take<IManifestReader>(services);
        var writer = Take<IManifestWriter>(services);
        services.AddSingleton(new CacheCoherence(serving: !shared));
        services.AddSingleton<IBlobIndex>(sp => new CachingBlobIndex(Create<IBlobIndex>(sp, blobs), options.BlobEntries, sp.GetRequiredService<CacheCoherence>()));
        services.AddSingleton(sp => new CachingManifestStore(
            Create<IManifestReader>(sp, reader), Create<IManifestWriter>(sp, writer), options.ManifestBytes, sp.GetRequiredService<CacheCoherence>()));
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
