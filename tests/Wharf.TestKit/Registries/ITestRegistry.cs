namespace Wharf.TestKit.Registries;

/// <summary>A running registry that tests push to and pull from.</summary>
public interface ITestRegistry : IAsyncDisposable
{
    /// <summary>The registry's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    Uri BaseAddress { get; }

    /// <summary>host:port as registry clients expect it, e.g. <c>127.0.0.1:41234</c>.</summary>
    string Authority { get; }

    /// <summary>A short name of the implementation under test ("wharf" or "distribution").</summary>
    string Kind { get; }

    /// <summary>The registry's log so far, when it has one (for failure messages).</summary>
    string ReadLog();
}
