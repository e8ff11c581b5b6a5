using System.Text.RegularExpressions;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Core.Protocol;

public sealed partial class RepositoryNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("library/ubuntu")]
    [InlineData("a.b")]
    [InlineData("a_b")]
    [InlineData("a__b")]
    [InlineData("a-b")]
    [InlineData("a--b")]
    [InlineData("a---b")]
    [InlineData("a.b_c__d-e")]
    [InlineData("team/app/v1.2")]
    [InlineData("blobs/manifests")]
    [InlineData("x/blobs/uploads")]
    [InlineData("a/b/c/d/e/f/g")]
    public void Spec_grammar_names_are_valid(string name) => Assert.True(RepositoryName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData("___")]
    [InlineData("a___b")]
    [InlineData("_a")]
    [InlineData("a_")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a.-b")]
    [InlineData("a-.b")]
    [InlineData("a_.b")]
    [InlineData("a/")]
    [InlineData("/a")]
    [InlineData("a//b")]
    [InlineData("/")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("A")]
    [InlineData("Library/ubuntu")]
    [InlineData("library/Ubuntu")]
    [InlineData("%2e")]
    [InlineData("a%2Fb")]
    [InlineData("a/%2e%2e/b")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("a@b")]
    [InlineData("a\\b")]
    [InlineData("é")]
    [InlineData("a\0")]
    public void Names_outside_the_spec_grammar_are_invalid(string name) => Assert.False(RepositoryName.IsValid(name));

    [Fact]
    public void Name_of_255_characters_is_valid() => Assert.True(RepositoryName.IsValid(LongName(255)));

    [Fact]
    public void Name_of_256_characters_is_invalid() => Assert.False(RepositoryName.IsValid(LongName(256)));

    [Fact]
    public void Length_limit_counts_slashes_and_all_components()
    {
        var name = string.Join('/', Enumerable.Repeat(new string('a', 63), 4)); // 4*63 + 3 = 255
        Assert.Equal(255, name.Length);
        Assert.True(RepositoryName.IsValid(name));
        Assert.False(RepositoryName.IsValid(name + "a"));
    }

    [Fact]
    public void Agrees_with_the_spec_regular_expression_on_random_strings()
    {
        var random = new Random(20240601);
        const string alphabet = "ab0._-/A%";
        for (var i = 0; i < 20000; i++)
        {
            var chars = new char[random.Next(1, 12)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var name = new string(chars);
            Assert.True(SpecGrammar().IsMatch(name) == RepositoryName.IsValid(name), $"disagreement on '{name}'");
        }
    }

    private static string LongName(int length)
    {
        // "ab/ab/…" trimmed so that it ends with an alphanumeric.
        var s = string.Concat(Enumerable.Repeat("a0b/", (length / 4) + 2))[..length];
        return s[^1] == '/' ? s[..^1] + "c" : s;
    }

    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex SpecGrammar();
}
