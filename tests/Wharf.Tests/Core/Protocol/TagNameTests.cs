using System.Text.RegularExpressions;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Core.Protocol;

public sealed partial class TagNameTests
{
    [Theory]
    [InlineData("latest")]
    [InlineData("v1.2.3")]
    [InlineData("V1")]
    [InlineData("_")]
    [InlineData("_private")]
    [InlineData("0")]
    [InlineData("1.0-rc.1_build")]
    [InlineData("a..b")]
    [InlineData("a--")]
    [InlineData("sha256-abc.sig")]
    public void Spec_grammar_tags_are_valid(string tag) => Assert.True(TagName.IsValid(tag));

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("-rc")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a@b")]
    [InlineData("a b")]
    [InlineData("a+b")]
    [InlineData("%2e")]
    [InlineData("é")]
    [InlineData("sha256:0000")]
    public void Tags_outside_the_spec_grammar_are_invalid(string tag) => Assert.False(TagName.IsValid(tag));

    [Fact]
    public void Tag_of_128_characters_is_valid() => Assert.True(TagName.IsValid(new string('t', 128)));

    [Fact]
    public void Tag_of_129_characters_is_invalid() => Assert.False(TagName.IsValid(new string('t', 129)));

    [Fact]
    public void Agrees_with_the_spec_regular_expression_on_random_strings()
    {
        var random = new Random(7);
        const string alphabet = "aZ0._-/:";
        for (var i = 0; i < 20000; i++)
        {
            var chars = new char[random.Next(1, 8)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var tag = new string(chars);
            Assert.True(SpecGrammar().IsMatch(tag) == TagName.IsValid(tag), $"disagreement on '{tag}'");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex SpecGrammar();
}
