using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// The health checks of connections in force: one per connection from the queue (queued by a refused call, by "I fixed
/// it" when App Store Connect did not answer, and by the daily timer, which queues one per connection in force).
/// </summary>
internal sealed class IntegrationHealthFunctions(
    IntegrationHealthCheck check,
    IntegrationStore store,
    IMessageQueue queue,
    IOptions<IntegrationOptions> options,
    ILogger<IntegrationHealthFunctions> logger)
{
    /// <summary>Daily at 05:00 UTC, before the working day in Europe and after it in the Americas.</summary>
    public const string DailySchedule = "0 0 5 * * *";

    /// <summary>The daily checks are spread over this window (by connection id), so App Store Connect and the queue
    /// see a trickle, not a burst.</summary>
    public static readonly TimeSpan DailySpread = TimeSpan.FromHours(1);

    /// <summary>Idempotent: a check only compares App Store Connect's answer with the row and writes on a
    /// change.</summary>
    [Function(nameof(CheckIntegrationHealth))]
    public Task CheckIntegrationHealth(
        [QueueTrigger(IntegrationQueues.IntegrationHealthChecks)] IntegrationHealthCheckRequest request,
        CancellationToken cancellationToken) =>
        check.CheckAsync(request.AccountId, request.ConnectionId, cancellationToken);

    [Function(nameof(QueueDailyHealthChecks))]
    public Task QueueDailyHealthChecks([TimerTrigger(DailySchedule)] TimerInfo timer,
        CancellationToken cancellationToken) => QueueDailyAsync(cancellationToken);

    /// <summary>
    /// Queues one check per connection in force (kind in force, degraded included: its next check may find it fixed),
    /// at most <see cref="IntegrationOptions.DailyHealthChecksPerRun"/>. A run that reaches the cap leaves a cursor at
    /// its last connection; the next run starts after it and wraps round to the start, so each connection is checked
    /// at least once in every ceil(connections / cap) days. A repeated run is harmless: a check writes and emails only
    /// on a change.
    /// </summary>
    public async Task<int> QueueDailyAsync(CancellationToken cancellationToken)
    {
        var cap = options.Value.DailyHealthChecksPerRun;
        var cursor = await store.DailyCheckCursorAsync(cancellationToken);
        var queued = 0;
        // From the cursor to the end, then from the start up to the cursor (or everything once, without one).
        var passes = cursor is null
            ? new (DailyHealthCheckCursor?, DailyHealthCheckCursor?)[] { (null, null) }
            : [(cursor, null), (null, cursor)];
        foreach (var (after, upTo) in passes)
        {
            await foreach (var row in store.InForceAsync(after, upTo, cancellationToken))
            {
                if (queued == cap)
                {
                    logger.LogWarning("The daily health check queued {Max} connections; the next run goes on after " +
                        "{AccountId}/{ConnectionId}", cap, cursor!.AccountId, cursor.ConnectionId);
                    await store.SaveDailyCheckCursorAsync(cursor, cancellationToken);
                    return queued;
                }
                await queue.SendAsync(IntegrationQueues.IntegrationHealthChecks,
                    new IntegrationHealthCheckRequest(row.PartitionKey, row.RowKey), SpreadDelay(row.RowKey),
                    cancellationToken);
                cursor = new DailyHealthCheckCursor { AccountId = row.PartitionKey, ConnectionId = row.RowKey };
                queued++;
            }
        }
        await store.SaveDailyCheckCursorAsync(null, cancellationToken);
        logger.LogInformation("Queued {Count} daily connection health checks", queued);
        return queued;
    }

    /// <summary>A stable delay within <see cref="DailySpread"/> derived from the id (the same every day).</summary>
    private static TimeSpan SpreadDelay(string connectionId) => TimeSpan.FromSeconds(
        connectionId.Aggregate(0u, (hash, c) => unchecked((hash * 31) + c)) % (uint)DailySpread.TotalSeconds);
}
