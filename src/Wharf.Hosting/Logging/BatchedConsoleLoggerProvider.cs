using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Wharf.Hosting.Logging;

/// <summary>
/// The console logger Wharf uses in place of the framework's: each entry is formatted on the caller's thread by the
/// framework's formatter that <c>Logging:Format</c> chose (simple or json, with its options), exactly as the
/// framework's console logger would, and the line goes to a <see cref="ConsoleLineWriter"/>, which writes the lines of
/// many requests at once instead of waking a thread and writing for each.
/// </summary>
[ProviderAlias("Console")]
internal sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConsoleFormatter _formatter;
    private readonly ConsoleLineWriter _writer;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
    {
        var name = options.CurrentValue.FormatterName ?? ConsoleFormatterNames.Simple;
        _formatter = formatters.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No console log formatter named '{name}' is registered.");
        _writer = new ConsoleLineWriter(Console.Out);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _writer.Dispose();

    private sealed class Logger(string category, BatchedConsoleLoggerProvider provider) : ILogger
    {
        [ThreadStatic]
        private static StringWriter? t_line;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = t_line ??= new StringWriter();
            provider._formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), provider._scopes, line);
            var text = line.GetStringBuilder();
            if (text.Length == 0)
            {
                return;
            }

            provider._writer.Add(text.ToString());
            text.Clear();
            if (text.Capacity > 4096)
            {
                text.Capacity = 1024; // one huge entry (an exception's stack) does not pin its buffer on this thread
            }
        }
    }
}
