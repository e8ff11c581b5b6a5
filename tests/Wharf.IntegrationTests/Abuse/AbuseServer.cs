using System.Diagnostics;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Abuse;

/// <summary>
/// One registry shared by the cases of an abuse test class, with an image in <c>team/app</c> and a file planted next
/// to (outside) its data directory that no request may ever serve.
/// </summary>
public sealed class AbuseServer : IAsyncLifetime
{
    /// <summary>Every hostile request must be answered within this.</summary>
    public static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);

    private WharfTestServer? _server;

    public WharfTestServer Server => _server!;

    public Registry Registry => new(Server);

    public PushedImage Image { get; private set; } = null!;

    public byte[] Blob { get; } = TestBlobs.Random(1000);

    public string BlobDigest => Digests.Sha256(Blob);

    /// <summary>The content of the planted file outside the data directory.</summary>
    public string Secret { get; } = "wharf-secret-" + Guid.NewGuid().ToString("N");

    /// <summary>The planted file's name (requests name it; answers may echo the name, never the content).</summary>
    public string SecretName { get; } = "wharf-planted-" + Guid.NewGuid().ToString("N");

    public string SecretFile { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await WharfTestServer.StartAsync();
        Image = await Registry.PushImageAsync("team/app", "v1");
        await Registry.PushBlobAsync("team/app", Blob);
        SecretFile = Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Server.DataDirectory))!, SecretName);
        await File.WriteAllTextAsync(SecretFile, Secret);
    }

    public async Task DisposeAsync()
    {
        File.Delete(SecretFile);
        await Server.DisposeAsync();
    }

    /// <summary>Sends over a raw socket (so nothing is normalised), asserting an answer within <see cref="AnswerBound"/>.</summary>
    public async Task<RawResponse> RawAsync(string method, string target, byte[]? body = null, IEnumerable<(string Name, string Value)>? headers = null)
    {
        var clock = Stopwatch.StartNew();
        var response = await RawHttp.SendAsync(Server.BaseAddress, method, target, body, headers);
        Assert.True(clock.Elapsed < AnswerBound, $"{method} {target} took {clock.Elapsed}");
        Assert.True(response.Status < 500, $"{method} {target} answered {response}");
        Assert.DoesNotContain(Secret, response.BodyText, StringComparison.Ordinal);
        return response;
    }

    /// <summary>The first error code of an error envelope, or null.</summary>
    public static string? Code(RawResponse response)
    {
        if (response.Body.Length == 0)
        {
            return null;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(response.Body);
            return json.RootElement.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0 ? errors[0].GetProperty("code").GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
