using System.Globalization;
using System.Text;

namespace Wharf.TestKit.Prometheus;

/// <summary>
/// A strict parser of the Prometheus text exposition format (version 0.0.4): names and label names by the grammar,
/// escaped label values, one TYPE per family before its samples, a family's samples together, no series twice, and
/// histograms whose cumulative buckets never fall and whose <c>+Inf</c> bucket equals <c>_count</c>. Anything else
/// throws <see cref="FormatException"/> naming the line.
/// </summary>
public sealed class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText(IReadOnlyDictionary<string, PrometheusFamily> families) => Families = families;

    public IReadOnlyDictionary<string, PrometheusFamily> Families { get; }

    /// <summary>Every sample of series <paramref name="name"/> (e.g. <c>x_bucket</c>, <c>x_count</c>) with all of <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> Samples(string name, params string[] labels) =>
        Families.Values.SelectMany(f => f.Samples).Where(s => s.Name == name && s.Has(labels));

    /// <summary>The sum over the samples <see cref="Samples"/> finds (0 when there are none).</summary>
    public double Sum(string name, params string[] labels) => Samples(name, labels).Sum(s => s.Value);

    public static PrometheusText Parse(string text)
    {
        var families = new Dictionary<string, (string Type, string? Help, List<PrometheusSample> Samples)>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (line.StartsWith('#'))
                {
                    ParseComment(line, families);
                    continue;
                }

                var sample = ParseSample(line);
                var family = FamilyOf(sample.Name, families);
                if (family != current)
                {
                    if (current is not null)
                    {
                        closed.Add(current);
                    }

                    if (closed.Contains(family))
                    {
                        throw new FormatException($"samples of {family} are not together");
                    }

                    current = family;
                }

                var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
                if (!series.Add(key))
                {
                    throw new FormatException($"series {key} appears twice");
                }

                if (!families.TryGetValue(family, out var entry))
                {
                    entry = ("untyped", null, []);
                    families[family] = entry;
                }

                entry.Samples.Add(sample);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {number}: {e.Message}: {line}", e);
            }
        }

        var result = families.ToDictionary(f => f.Key, f => new PrometheusFamily(f.Key, f.Value.Type, f.Value.Help, f.Value.Samples), StringComparer.Ordinal);
        foreach (var family in result.Values.Where(f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return new PrometheusText(result);
    }

    private static void ParseComment(string line, Dictionary<string, (string Type, string? Help, List<PrometheusSample> Samples)> families)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("TYPE" or "HELP"))
        {
            return; // An ordinary comment.
        }

        var name = parts[2];
        RequireName(name, colons: true);
        families.TryGetValue(name, out var entry);
        if (entry.Samples is { Count: > 0 })
        {
            throw new FormatException($"{parts[1]} of {name} after its samples");
        }

        entry.Samples ??= [];
        entry.Type ??= "untyped";
        if (parts[1] == "TYPE")
        {
            if (parts.Length != 4 || !Types.Contains(parts[3]))
            {
                throw new FormatException("unknown metric type");
            }

            if (families.ContainsKey(name) && entry.Type != "untyped")
            {
                throw new FormatException($"second TYPE for {name}");
            }

            entry.Type = parts[3];
        }
        else
        {
            if (entry.Help is not null)
            {
                throw new FormatException($"second HELP for {name}");
            }

            entry.Help = parts.Length == 4 ? parts[3] : "";
        }

        families[name] = entry;
    }

    private static string FamilyOf(string name, Dictionary<string, (string Type, string? Help, List<PrometheusSample> Samples)> families)
    {
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && families.TryGetValue(name[..^suffix.Length], out var f) && f.Type is "histogram" or "summary")
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        RequireName(name, colons: true);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                RequireName(label, colons: false);
                if (line[++i] != '"')
                {
                    throw new FormatException("label value without quotes");
                }

                var value = new StringBuilder();
                for (i++; line[i] != '"'; i++)
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException("unknown escape in a label value"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"label {label} twice");
                }

                i++;
                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    throw new FormatException("expected ',' or '}' after a label");
                }
            }

            i++;
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException("expected a space before the value");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException("expected a value and at most a timestamp");
        }

        return new PrometheusSample(name, labels, ParseValue(rest[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"'{text}' is not a number"),
    };

    private static void RequireName(string name, bool colons)
    {
        var ok = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_' || (colons && name[0] == ':'));
        for (var i = 1; ok && i < name.Length; i++)
        {
            ok = char.IsAsciiLetterOrDigit(name[i]) || name[i] == '_' || (colons && name[i] == ':');
        }

        if (!ok)
        {
            throw new FormatException($"'{name}' is not a valid {(colons ? "metric" : "label")} name");
        }
    }

    private static void CheckHistogram(PrometheusFamily family)
    {
        foreach (var count in family.Samples.Where(s => s.Name == family.Name + "_count"))
        {
            var others = count.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
            var buckets = family.Samples
                .Where(s => s.Name == family.Name + "_bucket" && s.Labels.Count == others.Count + 1
                    && others.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
                .Select(s => (Le: ParseValue(s.Labels.TryGetValue("le", out var le) ? le : throw new FormatException($"{family.Name} bucket without le")), s.Value))
                .OrderBy(b => b.Le)
                .ToList();
            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le) || buckets[^1].Value != count.Value)
            {
                throw new FormatException($"{family.Name}: the +Inf bucket does not equal _count");
            }

            for (var i = 1; i < buckets.Count; i++)
            {
                if (buckets[i].Value < buckets[i - 1].Value)
                {
                    throw new FormatException($"{family.Name}: cumulative buckets fall");
                }
            }
        }
    }
}
