namespace Wharf.Tests.Core.Protocol;

/// <summary>The manifests under Golden/ and the digests they reference.</summary>
internal static class GoldenManifests
{
    public const string Config = "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";
    public const string Layer1 = "sha256:9b2a0d7e8f6b1c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b";
    public const string Layer2 = "sha256:1e3f5a7c9b2d4f6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a";
    public const string Manifest1 = "sha256:2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c";
    public const string Manifest2 = "sha256:3b5d7f9b1d3f5b7d9f1b3d5f7b9d1f3b5d7f9b1d3f5b7d9f1b3d5f7b9d1f3b5d";
    public const string Empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    public static byte[] Read(string file) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Core", "Protocol", "Golden", file));
}
