using System.Net;
using System.Text.Json;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Assertions on registry responses, in particular the OCI error envelope.</summary>
public static class Expect
{
    /// <summary>Every error code the distribution spec allows (plus the two legacy Docker ones).</summary>
    public static readonly IReadOnlySet<string> SpecErrorCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN",
        "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED",
        "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS", "TAG_INVALID", "MANIFEST_UNVERIFIED",
    };

    /// <summary>Asserts the status and a JSON error body whose first code is one of <paramref name="codes"/>.</summary>
    public static async Task ErrorAsync(HttpResponseMessage response, HttpStatusCode status, params string[] codes)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {string.Join("|", codes)}, got {(int)response.StatusCode}: {body}");
        await ErrorBodyAsync(response, codes);
    }

    /// <summary>Asserts a status among <paramref name="statuses"/> and a spec error body with one of <paramref name="codes"/>.</summary>
    public static async Task ErrorAsync(HttpResponseMessage response, HttpStatusCode[] statuses, params string[] codes)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(statuses.Contains(response.StatusCode), $"expected {string.Join("/", statuses.Select(s => (int)s))} {string.Join("|", codes)}, got {(int)response.StatusCode}: {body}");
        await ErrorBodyAsync(response, codes);
    }

    /// <summary>A 4xx (never 5xx) carrying a spec error body.</summary>
    public static async Task ClientErrorAsync(HttpResponseMessage response, params string[] codes)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 400 and < 500, $"expected a 4xx, got {status}: {body}");
        await ErrorBodyAsync(response, codes);
    }

    public static async Task ErrorBodyAsync(HttpResponseMessage response, params string[] codes)
    {
        var body = await response.Content.ReadAsStringAsync();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            Assert.Fail($"{(int)response.StatusCode} error body is not JSON: '{body}'");
            return;
        }

        using (doc)
        {
            Assert.True(doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0,
                $"error body lacks a non-empty errors array: {body}");
            var all = doc.RootElement.GetProperty("errors").EnumerateArray().ToList();
            foreach (var e in all)
            {
                Assert.True(e.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String, $"error without string code: {body}");
                Assert.Contains(code.GetString()!, SpecErrorCodes);
                if (e.TryGetProperty("message", out var message))
                {
                    Assert.Equal(JsonValueKind.String, message.ValueKind);
                }
            }

            if (codes.Length > 0)
            {
                var first = all[0].GetProperty("code").GetString();
                Assert.True(codes.Contains(first), $"expected code {string.Join("|", codes)}, got {first}: {body}");
            }
        }
    }

    public static void Status(HttpResponseMessage response, HttpStatusCode expected)
        => Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode} for {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}");

    public static string Header(HttpResponseMessage response, string name)
    {
        if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
        {
            return string.Join(", ", values);
        }

        Assert.Fail($"response {(int)response.StatusCode} to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} lacks header {name}");
        return "";
    }

    public static string? OptionalHeader(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    /// <summary>Location as sent (relative or absolute).</summary>
    public static string Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location;
        Assert.True(location is not null, $"response {(int)response.StatusCode} lacks Location");
        return location.OriginalString;
    }

    /// <summary>Path and query of an absolute URI, as a relative reference.</summary>
    public static string LocationPathOf(Uri uri) => uri.PathAndQuery;

    /// <summary>The path part of a Location header.</summary>
    public static string LocationPath(HttpResponseMessage response)
    {
        var location = response.Headers.Location!;
        Assert.NotNull(location);
        var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;
        var q = path.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? path : path[..q];
    }
}
