using System.Globalization;

namespace Wharf.Bench.Search;

/// <summary>
/// A deterministic corpus of repositories with names and descriptions made of a small vocabulary, so that some
/// words are common (thousands of matches) and some combinations rare (a handful).
/// </summary>
public static class Corpus
{
    private static readonly string[] Words =
    [
        "api", "web", "worker", "cache", "proxy", "gateway", "auth", "billing", "search", "index", "queue", "mailer",
        "frontend", "backend", "scheduler", "metrics", "logs", "store", "images", "build", "runner", "agent", "docs", "admin",
    ];

    private static readonly string[] Teams = ["payments", "platform", "data", "mobile", "infra", "growth", "security", "ml"];

    public static (string Name, string Description, long Pulls, long PushedAt) Repository(int i)
    {
        var random = new Random(i);
        var team = Teams[i % Teams.Length];
        var first = Words[random.Next(Words.Length)];
        var second = Words[random.Next(Words.Length)];
        var name = string.Create(CultureInfo.InvariantCulture, $"{team}/{first}-{second}-{i}");
        var description = string.Create(CultureInfo.InvariantCulture,
            $"The {first} {second} service of the {team} team, release {i % 97}. Built nightly; see the README for configuration.");
        return (name, description, (long)(Math.Pow(random.NextDouble(), 4) * 100_000), 1_700_000_000_000L + (i * 1000L));
    }
}
