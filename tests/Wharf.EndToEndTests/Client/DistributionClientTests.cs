using System.Text;
using Wharf.Client;
using Wharf.Core.Protocol;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Client;

/// <summary><see cref="RegistryClient"/> against CNCF Distribution 2.8.2, anonymous, without the referrers API.</summary>
public sealed class DistributionClientTests : RegistryClientContract
{
    private DistributionRegistry? _registry;

    protected override async Task<RegistryClient> StartAsync(long chunkSize)
    {
        _registry = await DistributionRegistry.StartAsync();
        return new RegistryClient(new RegistryClientOptions { BaseAddress = _registry.BaseAddress, ChunkSize = chunkSize });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }

    /// <summary>Distribution 2.8.2 has no referrers API: the tag schema's index under <c>sha256-…</c> lists the referrer.</summary>
    protected override async Task PublishReferrerAsync(string repository, Digest subject, Digest referrer, int size)
    {
        var index = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","artifactType":"application/vnd.example.signature","digest":"{{{referrer}}}","size":{{{size}}}}]}""");
        await Client.PutManifestAsync(repository, $"sha256-{subject.Encoded}", MediaTypes.OciIndex, index);
    }
}
