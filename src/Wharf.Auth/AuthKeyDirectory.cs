namespace Wharf.Auth;

/// <summary>Builds the auth services from options; the host registers them.</summary>
public static class AuthKeyDirectory
{
    /// <summary>The key directory: <c>Auth:Token:KeyDirectory</c>, or <c>&lt;data&gt;/auth-keys</c>.</summary>
    public static string Resolve(AuthOptions options, string dataDirectory) =>
        Path.GetFullPath(options.Token.KeyDirectory ?? Path.Combine(dataDirectory, "auth-keys"));
}
