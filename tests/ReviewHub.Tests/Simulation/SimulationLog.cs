using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// Keeps what the app logged at Warning and above during a simulation: counts per category and message template, and
/// the first occurrences in full, so a failed book check comes with the app's own account of what went wrong.
/// </summary>
internal sealed class SimulationLog(TimeProvider clock) : ILoggerProvider
{
    private const int KeptEntries = 5;

    private readonly ConcurrentDictionary<(LogLevel Level, string Category, string Template), int> counts = new();
    private readonly ConcurrentQueue<string> first = new();

    /// <summary>The first warnings and errors, with the simulated time they were logged at.</summary>
    public IReadOnlyList<string> FirstEntries => [.. first];

    public int Errors => counts.Where(c => c.Key.Level >= LogLevel.Error).Sum(c => c.Value);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>The most frequent warnings and errors, one line each.</summary>
    public IEnumerable<string> Summary(int top) => counts
        .OrderByDescending(c => c.Key.Level).ThenByDescending(c => c.Value).Take(top)
        .Select(c => $"{c.Value,6} × {c.Key.Level} {ShortCategory(c.Key.Category)}: {c.Key.Template.Split('\n')[0]}");

    private static string ShortCategory(string category) => category[(category.LastIndexOf('.') + 1)..];

    private void Record(LogLevel level, string category, string template, string message, Exception? exception)
    {
        counts.AddOrUpdate((level, category, template), 1, (_, n) => n + 1);
        if (first.Count < KeptEntries)
        {
            first.Enqueue($"{clock.GetUtcNow():MM-dd HH:mm:ss} {level} {ShortCategory(category)}: " +
                message.Split('\n')[0] +
                (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]"));
        }
    }

    private sealed class Logger(SimulationLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // The Azure SDK logs every 409/412 of a conditional write as a warning: the app expects those, they are no
        // account of it.
        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= LogLevel.Warning && !category.StartsWith("Azure.", StringComparison.Ordinal);

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var template = state is IReadOnlyList<KeyValuePair<string, object?>> values
                && values.FirstOrDefault(v => v.Key == "{OriginalFormat}").Value is string format
                    ? format
                    : formatter(state, exception);
            log.Record(logLevel, category, template, formatter(state, exception), exception);
        }
    }
}
