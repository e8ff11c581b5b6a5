using System.Text.Json;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Reads registry JSON responses.</summary>
public static class Json
{
    public static async Task<JsonDocument> ReadAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            Assert.Fail($"{(int)response.StatusCode} body is not JSON ({e.Message}): {System.Text.Encoding.UTF8.GetString(bytes)}");
            throw;
        }
    }

    public static async Task<List<string>> TagsAsync(HttpResponseMessage response)
    {
        using var doc = await ReadAsync(response);
        var tags = doc.RootElement.GetProperty("tags");
        return tags.ValueKind == JsonValueKind.Null ? [] : [.. tags.EnumerateArray().Select(t => t.GetString()!)];
    }

    public static async Task<List<string>> RepositoriesAsync(HttpResponseMessage response)
    {
        using var doc = await ReadAsync(response);
        var repos = doc.RootElement.GetProperty("repositories");
        return repos.ValueKind == JsonValueKind.Null ? [] : [.. repos.EnumerateArray().Select(t => t.GetString()!)];
    }
}
