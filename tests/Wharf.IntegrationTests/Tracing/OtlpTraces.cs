using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Wharf.IntegrationTests.Tracing;

/// <summary>One span as exported, with its resource's <c>service.name</c> and its scope (activity source).</summary>
public sealed record OtlpSpan(
    string ServiceName, string Scope, string Name, int Kind, string TraceId, string SpanId, string ParentSpanId, IReadOnlyDictionary<string, string> Attributes, int StatusCode)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);
}

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> (protobuf wire format) into spans. Only the fields the tests look at
/// are decoded (field numbers from opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto); any other
/// field is skipped by its wire type, so a newer exporter's extra fields do no harm.
/// </summary>
public static class OtlpTraces
{
    public static List<OtlpSpan> Parse(ReadOnlySpan<byte> request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }

            var service = "";
            foreach (var (f, value) in Fields(resourceSpans.Span))
            {
                if (f == 1)
                {
                    service = Attributes(value.Span).GetValueOrDefault("service.name", "");
                }
            }

            foreach (var (f, scopeSpans) in Fields(resourceSpans.Span))
            {
                if (f == 2)
                {
                    ReadScopeSpans(scopeSpans.Span, service, spans);
                }
            }
        }

        return spans;
    }

    private static void ReadScopeSpans(ReadOnlySpan<byte> scopeSpans, string service, List<OtlpSpan> spans)
    {
        var scope = "";
        foreach (var (field, value) in Fields(scopeSpans))
        {
            if (field == 1)
            {
                scope = Strings(value.Span).GetValueOrDefault(1, "");
            }
        }

        foreach (var (field, value) in Fields(scopeSpans))
        {
            if (field == 2)
            {
                spans.Add(ReadSpan(value.Span, service, scope));
            }
        }
    }

    private static OtlpSpan ReadSpan(ReadOnlySpan<byte> span, string service, string scope)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var status = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parent = Convert.ToHexStringLower(value.Span); break;
                case 5: name = Encoding.UTF8.GetString(value.Span); break;
                case 6: kind = (int)Varint(value.Span); break;
                case 9:
                    var (key, text) = KeyValue(value.Span);
                    attributes[key] = text;
                    break;
                case 15:
                    foreach (var (f, v) in Fields(value.Span))
                    {
                        if (f == 3)
                        {
                            status = (int)Varint(v.Span);
                        }
                    }

                    break;
            }
        }

        return new OtlpSpan(service, scope, name, kind, traceId, spanId, parent, attributes, status);
    }

    /// <summary>The KeyValue attributes (field 1) of a Resource.</summary>
    private static Dictionary<string, string> Attributes(ReadOnlySpan<byte> message)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
            {
                var (key, text) = KeyValue(value.Span);
                attributes[key] = text;
            }
        }

        return attributes;
    }

    /// <summary>A KeyValue: key (1) and an AnyValue (2) of which strings, booleans, integers and doubles are read as text.</summary>
    private static (string Key, string Value) KeyValue(ReadOnlySpan<byte> message)
    {
        var key = "";
        var text = "";
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(value.Span);
            }
            else if (field == 2)
            {
                foreach (var (f, v) in Fields(value.Span))
                {
                    text = f switch
                    {
                        1 => Encoding.UTF8.GetString(v.Span),
                        2 => Varint(v.Span) != 0 ? "true" : "false",
                        3 => ((long)Varint(v.Span)).ToString(CultureInfo.InvariantCulture),
                        4 => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(v.Span)).ToString(CultureInfo.InvariantCulture),
                        _ => text,
                    };
                }
            }
        }

        return (key, text);
    }

    private static Dictionary<int, string> Strings(ReadOnlySpan<byte> message)
    {
        var strings = new Dictionary<int, string>();
        foreach (var (field, value) in Fields(message))
        {
            strings.TryAdd(field, Encoding.UTF8.GetString(value.Span));
        }

        return strings;
    }

    /// <summary>
    /// The fields of a message in order: a length-delimited field's bytes as they are, a varint's bytes re-read by
    /// <see cref="Varint"/>, a fixed field's 8 or 4 bytes.
    /// </summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        var bytes = message.ToArray();
        var at = 0;
        while (at < bytes.Length)
        {
            var tag = ReadVarint(bytes, ref at);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    var start = at;
                    ReadVarint(bytes, ref at);
                    fields.Add((field, bytes.AsMemory(start, at - start)));
                    break;
                case 1:
                    fields.Add((field, bytes.AsMemory(at, 8)));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(bytes, ref at);
                    fields.Add((field, bytes.AsMemory(at, length)));
                    at += length;
                    break;
                case 5:
                    fields.Add((field, bytes.AsMemory(at, 4)));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {tag & 7} at byte {at}");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes)
    {
        var array = bytes.ToArray();
        var at = 0;
        return ReadVarint(array, ref at);
    }

    private static ulong ReadVarint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("varint longer than 64 bits");
    }
}
