namespace Wharf.FuzzTests.Harness;

/// <summary>
/// The seed inputs of one target: every file under <c>Corpus/&lt;target&gt;/</c>, copied next to the tests. Each is
/// run as-is and is a seed for the mutations. A failing input a run finds is added here as a new file.
/// </summary>
public static class Corpus
{
    public static IReadOnlyList<CorpusFile> Load(string target)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Corpus", target);
        var files = Directory.GetFiles(directory)
            .Order(StringComparer.Ordinal)
            .Select(path => new CorpusFile(Path.GetFileName(path), File.ReadAllBytes(path)))
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"the corpus of {target} is empty: {directory}");
        }

        return files;
    }
}

/// <summary>One corpus file: its name (for messages) and its bytes.</summary>
public sealed record CorpusFile(string Name, byte[] Bytes);

/// <summary>Turns corpus bytes into the text a string target reads.</summary>
public static class CorpusText
{
    public static string Of(CorpusFile file) => System.Text.Encoding.UTF8.GetString(file.Bytes);
}
