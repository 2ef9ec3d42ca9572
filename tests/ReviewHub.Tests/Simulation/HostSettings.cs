using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// The queue settings of the host.json the build wrote next to the app: what the Functions host applies to every queue
/// trigger (retries, the delay after a failed attempt, poison after <see cref="MaxDequeueCount"/> dequeues).
/// </summary>
internal sealed record HostQueueSettings(int MaxDequeueCount, TimeSpan VisibilityTimeout, string MessageEncoding)
{
    public static HostQueueSettings Read()
    {
        var path = Path.Combine(TestPaths.FunctionAppOutput, "host.json");
        using var hostJson = JsonDocument.Parse(File.ReadAllText(path));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        // The host's defaults when host.json says nothing: 5 dequeues, retry at once, base64.
        return new HostQueueSettings(
            queues.TryGetProperty("maxDequeueCount", out var count) ? count.GetInt32() : 5,
            queues.TryGetProperty("visibilityTimeout", out var delay)
                ? TimeSpan.Parse(delay.GetString()!, CultureInfo.InvariantCulture)
                : TimeSpan.Zero,
            queues.TryGetProperty("messageEncoding", out var encoding) ? encoding.GetString()! : "base64");
    }
}

/// <summary>
/// A timer function as the build declared it in functions.metadata, with its NCRONTAB schedule (six fields, seconds
/// first; a <c>%Setting%</c> schedule is read from configuration like the host resolves app settings).
/// </summary>
internal sealed record TimerFunction(FunctionDescription Function, string Expression, CrontabSchedule Schedule)
{
    public string Name => Function.Name;

    /// <summary>
    /// The first occurrence strictly after <paramref name="time"/> (schedules are evaluated in UTC, as on Linux plans).
    /// </summary>
    public DateTimeOffset NextAfter(DateTimeOffset time) =>
        new(DateTime.SpecifyKind(Schedule.GetNextOccurrence(time.UtcDateTime), DateTimeKind.Utc));

    public static IReadOnlyList<TimerFunction> FromMetadata(IConfiguration configuration) => FunctionMetadata.All
        .Where(f => f.Trigger.Type == "timerTrigger")
        .Select(f =>
        {
            var expression = Resolve(f.Trigger.Schedule!, configuration);
            return new TimerFunction(f, expression,
                CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true }));
        })
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    private static string Resolve(string schedule, IConfiguration configuration)
    {
        if (!(schedule.Length > 2 && schedule.StartsWith('%') && schedule.EndsWith('%')))
        {
            return schedule;
        }
        var setting = schedule[1..^1];
        return configuration[setting] ?? configuration[setting.Replace("__", ":", StringComparison.Ordinal)]
            ?? throw new InvalidOperationException($"The timer schedule {schedule} names a setting that is not set.");
    }
}
