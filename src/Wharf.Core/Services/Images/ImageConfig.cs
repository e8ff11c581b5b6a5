using System.Globalization;
using System.Text.Json;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Images;

/// <summary>An image config blob, read from storage and summarised.</summary>
public sealed record ImageConfig(ImageConfigSummary Summary, IReadOnlyList<HistoryStep> History, Platform? Platform)
{
    /// <summary>Config blobs are small; a larger one is not parsed (the image page then shows no config).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Reads and summarises the config blob; null when it is missing from storage, larger than <see cref="MaxBytes"/>
    /// or not a JSON object. <paramref name="layerCount"/> bounds which history steps get a layer index.
    /// </summary>
    public static async ValueTask<ImageConfig?> ReadAsync(IStorageDriver storage, Digest digest, int layerCount, CancellationToken cancellationToken)
    {
        var stream = await storage.OpenReadAsync(StorageLayout.Blob(digest), 0, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        byte[] bytes;
        await using (stream)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            bytes = buffer.ToArray();
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind == JsonValueKind.Object ? Summarise(document.RootElement, layerCount) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string escaping a lone surrogate ("\ud800"), which cannot be read as a string: no details.
            return null;
        }
    }

    public static ImageConfig Summarise(JsonElement root, int layerCount)
    {
        var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var os = ManifestView.String(root, "os");
        var architecture = ManifestView.String(root, "architecture");
        var summary = new ImageConfigSummary(
            Time(root, "created"),
            ManifestView.String(root, "author"),
            os,
            architecture,
            Strings(config, "Entrypoint"),
            Strings(config, "Cmd"),
            Strings(config, "Env"),
            NonEmpty(config, "WorkingDir"),
            NonEmpty(config, "User"),
            Keys(config, "ExposedPorts"),
            Labels(config));
        var platform = os is not null && architecture is not null ? new Platform(os, architecture, ManifestView.String(root, "variant")) : null;
        return new ImageConfig(summary, ReadHistory(root, layerCount), platform);
    }

    private static List<HistoryStep> ReadHistory(JsonElement root, int layerCount)
    {
        var steps = new List<HistoryStep>();
        if (!root.TryGetProperty("history", out var history) || history.ValueKind != JsonValueKind.Array)
        {
            return steps;
        }

        var layer = 0;
        foreach (var step in history.EnumerateArray())
        {
            if (step.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var empty = step.TryGetProperty("empty_layer", out var e) && e.ValueKind == JsonValueKind.True;
            int? index = null;
            if (!empty)
            {
                // Each non-empty step made the next layer, in order; steps beyond the last layer made none we know of.
                index = layer < layerCount ? layer : null;
                layer++;
            }

            steps.Add(new HistoryStep(Time(step, "created"), ManifestView.String(step, "created_by"), ManifestView.String(step, "comment"), empty, index));
        }

        return steps;
    }

    private static DateTime? Time(JsonElement e, string property) =>
        ManifestView.String(e, property) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime
            : null;

    private static string? NonEmpty(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && ManifestView.String(e, property) is { Length: > 0 } value ? value : null;

    private static List<string> Strings(JsonElement e, string property)
    {
        var list = new List<string>();
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            list.AddRange(array.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!));
        }

        return list;
    }

    private static List<string> Keys(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var o) && o.ValueKind == JsonValueKind.Object
            ? [.. o.EnumerateObject().Select(p => p.Name)]
            : [];

    private static SortedDictionary<string, string> Labels(JsonElement config)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("Labels", out var o) && o.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in o.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                labels[label.Name] = label.Value.GetString()!;
            }
        }

        return labels;
    }
}
