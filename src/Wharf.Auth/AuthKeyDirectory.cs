namespace Wharf.Auth;

/// <summary>Where signing key files live, when they live in files.</summary>
public static class AuthKeyDirectory
{
    /// <summary><c>Auth:Token:KeyDirectory</c> as a full path: keys come from files there instead of the metadata store. Null when not set.</summary>
    public static string? Explicit(AuthOptions options) =>
        options.Token.KeyDirectory is { Length: > 0 } directory ? Path.GetFullPath(directory) : null;

    /// <summary>The directory earlier versions kept their keys in by default, <c>&lt;data&gt;/auth-keys</c> (imported into an empty store).</summary>
    public static string Legacy(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "auth-keys");
}
