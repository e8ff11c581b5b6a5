namespace Wharf.Hosting;

/// <summary>The known name closest to a misspelled one (case-insensitive edit distance, a swap of neighbours counting once).</summary>
public static class ClosestName
{
    /// <summary>The closest of <paramref name="known"/>, or null when none is close enough to be a plausible spelling.</summary>
    public static string? Find(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known.Order(StringComparer.OrdinalIgnoreCase))
        {
            var distance = Distance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance && distance <= Allowed(candidate))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>About one edit per three letters, at least one and at most three.</summary>
    private static int Allowed(string candidate) => Math.Clamp(candidate.Length / 3, 1, 3);

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of adjacent letters.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
