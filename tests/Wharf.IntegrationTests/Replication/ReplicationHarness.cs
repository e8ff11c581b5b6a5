using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Client;
using Wharf.Core.Replication;
using Wharf.Http.Replication;
using Wharf.IntegrationTests.Audit;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.IntegrationTests.Replication;

/// <summary>
/// A basic-auth Wharf on a fake clock (alice pushes team/**) with a push rule "releases" (team/**, tags v*) to a real
/// Distribution 2.8.2 reached through a <see cref="TcpRelay"/>, which a test cuts to take the target down. The server
/// writes jobs but does not work them by itself (<c>Replication:Run</c> false): each test runs worker passes with
/// <see cref="PassAsync"/>, so what is due is decided by the fake clock.
/// </summary>
public sealed class ReplicationHarness : IAsyncDisposable
{
    private ReplicationHarness(AuditHarness audit, DistributionRegistry distribution, TcpRelay relay)
    {
        Audit = audit;
        Distribution = distribution;
        Relay = relay;
        Target = new RegistryClient(new RegistryClientOptions { BaseAddress = distribution.BaseAddress });
    }

    public AuditHarness Audit { get; }

    public DistributionRegistry Distribution { get; }

    /// <summary>Wharf's way to the target: cut it and the target is down.</summary>
    public TcpRelay Relay { get; }

    /// <summary>A client of the target straight (not through the relay), for the tests' checks.</summary>
    public RegistryClient Target { get; }

    public Infrastructure.Registry Registry => Audit.Registry;

    public IReplicationJobs Jobs => Audit.Server.Services.GetRequiredService<IReplicationJobs>();

    public ReplicationWorker Worker => Audit.Server.Services.GetRequiredService<ReplicationWorker>();

    /// <summary>
    /// Starts with the push rule "releases", or with <paramref name="rule"/> (settings under <c>Replication:Rules:0</c>)
    /// instead; <paramref name="extra"/> adds any other settings.
    /// </summary>
    public static async Task<ReplicationHarness> StartAsync(IReadOnlyDictionary<string, string>? rule = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var distribution = await DistributionRegistry.StartAsync();
        var relay = new TcpRelay("127.0.0.1", distribution.BaseAddress.Port);
        var settings = new Dictionary<string, string?>
        {
            ["Replication:Run"] = "false",
            ["Replication:RequestAttempts"] = "1",
            ["Replication:MinBackoff"] = "00:00:01",
            ["Replication:MaxBackoff"] = "00:00:04",
            ["Replication:MaxAttempts"] = "3",
            ["Replication:Registries:0:Name"] = "dr",
            ["Replication:Registries:0:Url"] = $"http://127.0.0.1:{relay.Port.ToString(CultureInfo.InvariantCulture)}/",
        };
        foreach (var (key, value) in rule ?? new Dictionary<string, string>
        {
            ["Name"] = "releases",
            ["Direction"] = "push",
            ["Registry"] = "dr",
            ["Repositories:0"] = "team/**",
            ["Tags:0"] = "v*",
        })
        {
            settings["Replication:Rules:0:" + key] = value;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var audit = await AuditHarness.StartAsync("basic", settings);
        return new ReplicationHarness(audit, distribution, relay);
    }

    /// <summary>One worker pass at the fake clock's now; how many jobs it attempted.</summary>
    public Task<int> PassAsync() => Worker.RunOnceAsync(CancellationToken.None);

    public async Task<ReplicationJob> SingleJobAsync() => Assert.Single(await Jobs.ListAsync(null, null, 100, CancellationToken.None));

    public async ValueTask DisposeAsync()
    {
        Target.Dispose();
        await Audit.DisposeAsync();
        await Relay.DisposeAsync();
        await Distribution.DisposeAsync();
    }
}
