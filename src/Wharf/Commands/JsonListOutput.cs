using System.Text.Json;

namespace Wharf.Commands;

/// <summary>A command's <c>--json</c> output: <c>{"&lt;property&gt;": [ … ]}</c>, indented, on standard output, as the matching API answers.</summary>
internal static class JsonListOutput
{
    public static async Task WriteAsync<T>(string property, IEnumerable<T> items, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken)
    {
        using var stdout = Console.OpenStandardOutput();
        await using var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray(property);
        foreach (var item in items)
        {
            write(writer, item);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        Console.WriteLine();
    }
}
