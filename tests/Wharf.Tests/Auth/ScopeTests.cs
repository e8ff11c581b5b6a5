using Wharf.Auth;

namespace Wharf.Tests.Auth;

public sealed class ScopeTests
{
    [Theory]
    [InlineData("repository:team/app:pull,push", "repository", "team/app", AccessActions.Pull | AccessActions.Push)]
    [InlineData("repository:team/app:*", "repository", "team/app", AccessActions.All)]
    [InlineData("repository:team/app:delete", "repository", "team/app", AccessActions.Delete)]
    [InlineData("repository(plugin):team/app:pull", "repository", "team/app", AccessActions.Pull)]
    [InlineData("repository:localhost:5000/app:pull", "repository", "localhost:5000/app", AccessActions.Pull)]
    [InlineData("registry:catalog:*", "registry", "catalog", AccessActions.All)]
    [InlineData("repository:team/app:bogus", "repository", "team/app", AccessActions.None)]
    public void Parses_type_name_and_actions(string text, string type, string name, AccessActions actions)
    {
        var scope = Scope.Parse(text);

        Assert.NotNull(scope);
        Assert.Equal(type, scope.Type);
        Assert.Equal(name, scope.Name);
        Assert.Equal(actions, scope.Actions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("repository")]
    [InlineData("repository:app")]
    [InlineData(":app:pull")]
    public void Malformed_scopes_are_null(string text) => Assert.Null(Scope.Parse(text));

    [Fact]
    public void Parameters_may_repeat_and_each_may_hold_several_scopes()
    {
        var scopes = Scope.ParseAll(["repository:a:pull repository:b:push", "registry:catalog:*", null, "junk"]);

        Assert.Equal(["repository:a:pull", "repository:b:push", "registry:catalog:*"], scopes.Select(s => s.ToString()));
    }

    [Fact]
    public void Stored_token_scopes_may_name_patterns_but_JWT_access_names_are_exact()
    {
        var scopes = Scope.ParseAll(["repository:team/**:pull", "repository:team/app:push"]);

        Assert.Equal(AccessActions.Pull | AccessActions.Push, Scope.OnPattern(scopes, "team/app"));
        Assert.Equal(AccessActions.Pull, Scope.OnPattern(scopes, "team/other"));
        Assert.Equal(AccessActions.Push, Scope.On(scopes, "team/app"));
        Assert.Equal(AccessActions.None, Scope.On(scopes, "team/other"));
    }
}
