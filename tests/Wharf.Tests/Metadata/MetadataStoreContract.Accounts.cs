using Wharf.Core.Metadata;

namespace Wharf.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private UserRecord User(string name, string hash = "$2a$10$hash", params string[] groups) => new(name, hash, groups, Time.GetUtcNow());

    private AccessTokenRecord Token(string id, string subject, AccessTokenKind kind = AccessTokenKind.Personal, DateTimeOffset? expires = null) =>
        new(id, subject, kind, "ab12", ["repository:a/b:pull,push", "repository:c:pull"], "ci", Time.GetUtcNow(), expires, null);

    [Fact]
    public async Task A_created_user_reads_back_with_hash_and_groups()
    {
        Assert.True(await Users.CreateAsync(User("alice", "$2a$10$x", "dev", "ops"), None));

        var user = await Users.GetAsync("alice", None);

        Assert.NotNull(user);
        Assert.Equal("$2a$10$x", user.PasswordHash);
        Assert.Equal(["dev", "ops"], user.Groups);
        Assert.Equal(Time.GetUtcNow(), user.CreatedAt);
        Assert.Null(await Users.GetAsync("bob", None));
    }

    [Fact]
    public async Task Creating_a_taken_user_name_fails_and_keeps_the_first()
    {
        Assert.True(await Users.CreateAsync(User("alice", "first"), None));

        Assert.False(await Users.CreateAsync(User("alice", "second"), None));

        Assert.Equal("first", (await Users.GetAsync("alice", None))!.PasswordHash);
    }

    [Fact]
    public async Task Updating_a_password_keeps_groups_unless_given()
    {
        await Users.CreateAsync(User("alice", "one", "dev"), None);

        Assert.True(await Users.UpdateAsync("alice", "two", null, None));
        Assert.Equal(["dev"], (await Users.GetAsync("alice", None))!.Groups);
        Assert.True(await Users.UpdateAsync("alice", "three", ["ops"], None));

        var user = await Users.GetAsync("alice", None);
        Assert.Equal("three", user!.PasswordHash);
        Assert.Equal(["ops"], user.Groups);
        Assert.False(await Users.UpdateAsync("nobody", "x", null, None));
    }

    [Fact]
    public async Task Users_list_by_name()
    {
        await Users.CreateAsync(User("carol"), None);
        await Users.CreateAsync(User("alice"), None);

        Assert.Equal(["alice", "carol"], (await Users.ListAsync(None)).Select(u => u.Name));
    }

    [Fact]
    public async Task Removing_a_user_removes_its_personal_tokens_but_not_robots()
    {
        await Users.CreateAsync(User("alice"), None);
        await Tokens.CreateAsync(Token("t1", "alice"), None);
        await Tokens.CreateAsync(Token("t2", "robot.ci", AccessTokenKind.Robot), None);

        Assert.True(await Users.DeleteAsync("alice", None));

        Assert.Null(await Users.GetAsync("alice", None));
        Assert.Null(await Tokens.GetAsync("t1", None));
        Assert.NotNull(await Tokens.GetAsync("t2", None));
        Assert.False(await Users.DeleteAsync("alice", None));
    }

    [Fact]
    public async Task A_created_token_reads_back_whole()
    {
        var expires = Time.GetUtcNow().AddDays(30);
        var token = Token("t1", "robot.ci", AccessTokenKind.Robot, expires);

        Assert.True(await Tokens.CreateAsync(token, None));
        Assert.False(await Tokens.CreateAsync(token, None));

        var read = await Tokens.GetAsync("t1", None);
        Assert.NotNull(read);
        Assert.Equal(token.Subject, read.Subject);
        Assert.Equal(AccessTokenKind.Robot, read.Kind);
        Assert.Equal(token.SecretHash, read.SecretHash);
        Assert.Equal(token.Scopes, read.Scopes);
        Assert.Equal("ci", read.Description);
        Assert.Equal(expires, read.ExpiresAt);
        Assert.Null(read.RevokedAt);
    }

    [Fact]
    public async Task A_revoked_token_is_inactive_at_once_and_revoking_twice_reports_false()
    {
        await Tokens.CreateAsync(Token("t1", "alice"), None);

        Assert.True(await Tokens.RevokeAsync("t1", Time.GetUtcNow(), None));
        Assert.False(await Tokens.RevokeAsync("t1", Time.GetUtcNow(), None));

        var read = await Tokens.GetAsync("t1", None);
        Assert.Equal(Time.GetUtcNow(), read!.RevokedAt);
        Assert.False(read.IsActive(Time.GetUtcNow()));
        Assert.False(await Tokens.RevokeAsync("missing", Time.GetUtcNow(), None));
    }

    [Fact]
    public async Task Tokens_list_per_subject_or_all_in_creation_order()
    {
        await Tokens.CreateAsync(Token("b", "alice"), None);
        Time.Advance(TimeSpan.FromSeconds(1));
        await Tokens.CreateAsync(Token("a", "alice"), None);
        await Tokens.CreateAsync(Token("c", "robot.ci", AccessTokenKind.Robot), None);

        Assert.Equal(["b", "a"], (await Tokens.ListAsync("alice", None)).Select(t => t.Id));
        Assert.Equal(3, (await Tokens.ListAsync(null, None)).Count);
    }
}
