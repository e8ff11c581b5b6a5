using Wharf.Auth;
using Wharf.Core.Metadata;

namespace Wharf.Tests.Auth;

public sealed class AccessPolicyTests
{
    private static readonly AccessPolicy Policy = new(new AuthOptions
    {
        Admins = ["root"],
        Policies =
        [
            new PolicyRule { Repositories = "team-a/**", Groups = ["team-a"], Actions = ["pull", "push"] },
            new PolicyRule { Repositories = "team-a/**", Users = ["carol"], Actions = ["pull"] },
        ],
        Anonymous = [new PolicyRule { Repositories = "public/**", Actions = ["pull"] }],
    });

    private static Principal User(string name, params string[] groups) => new(name, groups);

    [Fact]
    public void Anonymous_gets_only_anonymous_rules()
    {
        Assert.Equal(AccessActions.Pull, Policy.Allowed(Principal.Anonymous, "public/tools"));
        Assert.Equal(AccessActions.None, Policy.Allowed(Principal.Anonymous, "team-a/app"));
    }

    [Fact]
    public void A_user_owns_her_namespace_and_nothing_that_merely_starts_like_it()
    {
        Assert.Equal(AccessActions.All, Policy.Allowed(User("alice"), "alice/app"));
        Assert.Equal(AccessActions.All, Policy.Allowed(User("alice"), "alice/x/y"));
        Assert.Equal(AccessActions.None, Policy.Allowed(User("alice"), "alice2/app"));
        Assert.Equal(AccessActions.None, Policy.Allowed(User("alice"), "alice"));
    }

    [Fact]
    public void Rules_grant_by_user_and_by_group_and_add_up()
    {
        Assert.Equal(AccessActions.Pull | AccessActions.Push, Policy.Allowed(User("dave", "team-a"), "team-a/app"));
        Assert.Equal(AccessActions.Pull | AccessActions.Push, Policy.Allowed(User("carol", "team-a"), "team-a/app"));
        Assert.Equal(AccessActions.Pull, Policy.Allowed(User("carol"), "team-a/app"));
        Assert.Equal(AccessActions.None, Policy.Allowed(User("erin", "team-b"), "team-a/app"));
        Assert.Equal(AccessActions.Pull, Policy.Allowed(User("erin"), "public/tools"));
    }

    [Fact]
    public void Admins_may_do_everything()
    {
        Assert.Equal(AccessActions.All, Policy.Allowed(User("root"), "team-a/app"));
        Assert.Equal(AccessActions.All, Policy.Allowed(User("root"), "anything"));
    }

    [Fact]
    public void A_personal_token_narrows_its_user_and_a_robot_has_exactly_its_scopes()
    {
        var pat = new Principal("dave", ["team-a"], AccessTokenKind.Personal, "t1", Scope.ParseAll(["repository:team-a/**:pull", "repository:other/x:*"]));
        var robot = new Principal("robot.ci", [], AccessTokenKind.Robot, "t2", Scope.ParseAll(["repository:team-a/app:pull,push"]));

        Assert.Equal(AccessActions.Pull, Policy.Allowed(pat, "team-a/app"));
        Assert.Equal(AccessActions.None, Policy.Allowed(pat, "other/x"));
        Assert.Equal(AccessActions.Pull | AccessActions.Push, Policy.Allowed(robot, "team-a/app"));
        Assert.Equal(AccessActions.None, Policy.Allowed(robot, "team-a/other"));
        Assert.Equal(AccessActions.None, Policy.Allowed(robot, "robot.ci/app"));
        Assert.Equal(AccessActions.Pull, Policy.Allowed(robot, "public/tools"));
    }
}
