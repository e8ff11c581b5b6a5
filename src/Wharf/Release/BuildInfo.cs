using System.Reflection;
using System.Runtime.InteropServices;

namespace Wharf.Release;

/// <summary>
/// What this build of Wharf is: its version, the commit it was built from and when, read from the assembly attributes
/// that <c>scripts/publish.sh</c> sets through MSBuild (<c>-p:Version=… -p:SourceRevisionId=… -p:WharfBuildDate=…</c>).
/// A build without them (<c>dotnet build</c>, <c>./wharf</c>) is <c>0.0.0-dev</c>; the SDK still records its commit.
/// </summary>
public sealed record BuildInfo(string Version, string Commit, string BuildDate, string Runtime)
{
    public const string Unknown = "unknown";
    public const string BuildDateKey = "WharfBuildDate";
    private const int ShortCommitLength = 12;

    /// <summary>This running executable's build.</summary>
    public static BuildInfo Current { get; } = FromAssembly(typeof(BuildInfo).Assembly);

    /// <summary><c>wharf 0.4.0 (commit 1a2b3c4d5e6f, built 2026-12-06T09:00:00Z, .NET 10.0.12)</c></summary>
    public string Line => $"wharf {Version} (commit {Commit}, built {BuildDate}, .NET {Runtime})";

    public static BuildInfo FromAssembly(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var buildDate = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == BuildDateKey)?.Value;
        return From(informational, buildDate, RuntimeInformation.FrameworkDescription);
    }

    /// <summary>
    /// Splits an informational version (<c>VERSION+COMMIT</c>) into its parts. A development version
    /// (<c>…-dev</c>) keeps its short commit, <c>0.0.0-dev+1a2b3c4d5e6f</c>, so two dev builds never print the same
    /// version.
    /// </summary>
    public static BuildInfo From(string? informationalVersion, string? buildDate, string frameworkDescription)
    {
        var (version, commit) = (informationalVersion ?? "") switch
        {
            "" => ("0.0.0-dev", Unknown),
            var text when text.IndexOf('+', StringComparison.Ordinal) is var plus and >= 0 => (text[..plus], ShortCommit(text[(plus + 1)..])),
            var text => (text, Unknown),
        };
        if (version.EndsWith("-dev", StringComparison.Ordinal) && commit != Unknown)
        {
            version += "+" + commit;
        }

        return new BuildInfo(version, commit, string.IsNullOrWhiteSpace(buildDate) ? Unknown : buildDate.Trim(), RuntimeVersion(frameworkDescription));
    }

    private static string ShortCommit(string commit) =>
        commit.Length == 0 ? Unknown : commit.Length > ShortCommitLength ? commit[..ShortCommitLength] : commit;

    /// <summary><c>.NET 10.0.12</c> → <c>10.0.12</c>.</summary>
    private static string RuntimeVersion(string frameworkDescription) =>
        frameworkDescription.StartsWith(".NET ", StringComparison.Ordinal) ? frameworkDescription[5..].Trim() : frameworkDescription;
}
