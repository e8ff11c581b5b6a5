using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;

namespace Wharf.Hosting;

/// <summary>
/// Refuses configuration keys that no option class knows (a typo is an error, not a silently ignored setting), naming
/// each with its closest valid spelling: <c>unknown setting Auth:Mdoe; did you mean Auth:Mode?</c>. Every key of the
/// config file, of the flags and of <c>WHARF_…</c> environment variables counts, except single-word variables that are
/// no top-level setting nor close to one (<c>WHARF_ENGINES_DIR</c> and the like belong to Wharf's scripts and tests).
/// </summary>
public static class UnknownSettings
{
    /// <summary>Every section the host binds, with the option classes bound to it.</summary>
    public static SettingNode Schema { get; } = BuildSchema();

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every unknown key.</summary>
    public static void Check(IConfiguration configuration)
    {
        var problems = Find(configuration);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException("Configuration", typeof(WharfOptions), problems);
        }
    }

    /// <summary>One message per unknown key, in key order.</summary>
    public static List<string> Find(IConfiguration configuration)
    {
        var problems = new List<string>();
        foreach (var (key, fromEnvironment) in Keys(configuration).DistinctBy(k => k.Key, StringComparer.OrdinalIgnoreCase).OrderBy(k => k.Key, StringComparer.OrdinalIgnoreCase))
        {
            var segments = key.Split(ConfigurationPath.KeyDelimiter);
            if (fromEnvironment && segments.Length == 1 && !IsOrResemblesTopLevel(segments[0]))
            {
                continue;
            }

            if (Problem(segments) is { } problem)
            {
                problems.Add(fromEnvironment ? $"{problem} (environment variable WHARF_{key.Replace(":", "__", StringComparison.Ordinal)})" : problem);
            }
        }

        return problems;
    }

    /// <summary>What is wrong with one key, or null when every segment is known.</summary>
    public static string? Problem(IReadOnlyList<string> segments)
    {
        var node = Schema;
        var path = "";
        foreach (var segment in segments)
        {
            var here = path.Length == 0 ? segment : path + ConfigurationPath.KeyDelimiter + segment;
            switch (node)
            {
                case SettingNode.Object o when o.Children.Keys.FirstOrDefault(k => string.Equals(k, segment, StringComparison.OrdinalIgnoreCase)) is { } known:
                    node = o.Children[known];
                    path = path.Length == 0 ? known : path + ConfigurationPath.KeyDelimiter + known;
                    break;
                case SettingNode.Object o:
                    var closest = ClosestName.Find(segment, o.Children.Keys);
                    var prefix = path.Length == 0 ? "" : path + ConfigurationPath.KeyDelimiter;
                    return closest is null ? $"unknown setting {here}" : $"unknown setting {here}; did you mean {prefix}{closest}?";
                case SettingNode.Any:
                    return null;
                case SettingNode.Map m:
                    node = m.Value;
                    path = here;
                    break;
                case SettingNode.List l when int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _):
                    node = l.Item;
                    path = here;
                    break;
                case SettingNode.List:
                    return $"unknown setting {here}: {path} is a list, indexed 0, 1, 2…";
                default:
                    return $"unknown setting {here}: {path} is a value and has no settings below it";
            }
        }

        return null;
    }

    private static bool IsOrResemblesTopLevel(string name) =>
        Schema is SettingNode.Object root
        && (root.Children.ContainsKey(name) || ClosestName.Find(name, root.Children.Keys) is not null);

    /// <summary>Every leaf key, and whether it came from the environment.</summary>
    private static IEnumerable<(string Key, bool FromEnvironment)> Keys(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return configuration.AsEnumerable().Where(kv => kv.Value is not null).Select(kv => (kv.Key, false));
        }

        return root.Providers.SelectMany(p => LeafKeys(p, null).Select(k => (k, p is EnvironmentVariablesConfigurationProvider)));
    }

    private static IEnumerable<string> LeafKeys(IConfigurationProvider provider, string? parent)
    {
        foreach (var child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = parent is null ? child : ConfigurationPath.Combine(parent, child);
            var any = false;
            foreach (var leaf in LeafKeys(provider, path))
            {
                any = true;
                yield return leaf;
            }

            if (!any)
            {
                yield return path;
            }
        }
    }

    private static SettingNode BuildSchema()
    {
        var sections = OptionSections.All.GroupBy(section => section.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => SettingNode.For([.. group.Select(section => section.Type)]), StringComparer.OrdinalIgnoreCase);
        sections["Logging"] = new SettingNode.Any(); // .NET's logging configuration (LogLevel per category), read by the host.
        var top = (SettingNode.Object)SettingNode.For(typeof(WharfOptions));
        foreach (var (name, node) in top.Children)
        {
            sections[name] = node;
        }

        return new SettingNode.Object(sections);
    }
}
