namespace Wharf.Hosting;

/// <summary>
/// Builds the configuration tree in priority order: the config file (YAML or JSON), then <c>WHARF_…</c>
/// environment variables (<c>__</c> separates sections, e.g. <c>WHARF_UPLOADS__EXPIREAFTER</c>), then flags.
/// </summary>
public static class WharfConfiguration
{
    public static IConfigurationRoot Build(string? configFile, IReadOnlyDictionary<string, string?>? overrides)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Config file not found: {path}", path);
            }

            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                builder.AddJsonFile(path, optional: false);
            }
            else
            {
                builder.AddYamlFile(path, optional: false);
            }
        }

        builder.AddEnvironmentVariables("WHARF_");
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides.Where(kv => kv.Value is not null));
        }

        return builder.Build();
    }
}
