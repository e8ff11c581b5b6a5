using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Mirror;

namespace Wharf.Http.Mirror;

/// <summary>Wires the pull-through cache (docs/design/mirroring.md) when at least one upstream is configured; without one nothing of it exists.</summary>
public static class MirrorRegistration
{
    public static void AddWharfMirror(this IServiceCollection services, MirrorOptions options)
    {
        if (!options.Enabled)
        {
            return;
        }

        services.AddSingleton<MirrorNames>();
        services.AddSingleton<ICachedRepositories, CachedRepositories>();
        services.AddSingleton<MirrorRouting>();
        services.AddSingleton<CachedManifests>();
        services.AddSingleton<MirrorMetrics>();
        services.AddSingleton<IUpstreamRegistries, ClientUpstreamRegistries>();
        services.AddSingleton<ServedTimes>();
        services.AddSingleton<PullThroughCache>();
        services.AddSingleton<CacheEviction>();
        services.AddSingleton<Wharf.Core.Policies.ICachedTags, CachedTagRetention>();
        services.AddHostedService<StaleFetchSweeper>();
    }
}
