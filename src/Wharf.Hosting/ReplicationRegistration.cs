using Wharf.Core.Replication;
using Wharf.Http.Replication;
using Wharf.Metadata;

namespace Wharf.Hosting;

/// <summary>
/// Wires replication (docs/design/replication.md). With at least one rule: the routing that the manifest writer asks in
/// a push's transaction, the jobs store, and the worker (unless <c>Replication:Run</c> is false). Without one, the
/// manifest writer gets no jobs store and a push does no replication work at all; the jobs stay listable.
/// </summary>
public static class ReplicationRegistration
{
    public static void AddWharfReplication(this IServiceCollection services, ReplicationOptions options)
    {
        services.AddSingleton<ReplicationResync>();
        if (!options.Enabled)
        {
            services.AddSingleton<IReplicationJobs>(sp => new SqlReplicationJobs(sp.GetRequiredService<SqlDatabase>(), new ReplicationRouting(new ReplicationOptions())));
            return;
        }

        // Built from the validated section: an invalid rule stops the start with the section's message.
        services.AddSingleton(sp => new ReplicationRouting(sp.GetRequiredService<ReplicationOptions>()));
        services.AddSingleton<IReplicationRouting>(sp => sp.GetRequiredService<ReplicationRouting>());
        services.AddSingleton<SqlReplicationJobs>();
        services.AddSingleton<IReplicationJobs>(sp => sp.GetRequiredService<SqlReplicationJobs>());
        services.AddSingleton<ReplicationWorker>();
        if (options.Run)
        {
            services.AddHostedService(sp => sp.GetRequiredService<ReplicationWorker>());
        }
    }
}
