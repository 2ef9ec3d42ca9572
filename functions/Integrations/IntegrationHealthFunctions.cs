using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// The health checks of connections in force: one per connection from the queue (queued by a refused call, by "I fixed
/// it" when App Store Connect did not answer, and by the daily timer, which queues one per connection in force).
/// </summary>
public sealed class IntegrationHealthFunctions(
    IntegrationHealthCheck check,
    IntegrationStore store,
    IMessageQueue queue,
    ILogger<IntegrationHealthFunctions> logger)
{
    /// <summary>Daily at 05:00 UTC, before the working day in Europe and after it in the Americas.</summary>
    public const string DailySchedule = "0 0 5 * * *";

    /// <summary>The daily checks are spread over this window (by connection id), so App Store Connect and the queue
    /// see a trickle, not a burst.</summary>
    public static readonly TimeSpan DailySpread = TimeSpan.FromHours(1);

    /// <summary>Bounds one run's fan-out; beyond it (not reached by far today) the rest waits for the next day and an
    /// error is logged.</summary>
    public const int MaxDailyChecks = 50_000;

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
    /// Queues one check per connection in force (kind in force, degraded included: its next check may find it fixed).
    /// A repeated run queues the same checks again, which is harmless: a check writes and emails only on a change.
    /// </summary>
    public async Task<int> QueueDailyAsync(CancellationToken cancellationToken)
    {
        var queued = 0;
        await foreach (var row in store.Table.QueryRowsAsync<IntegrationEntity>(
            TableClient.CreateQueryFilter($"ActiveKind ge {string.Empty}"),
            select: [nameof(IntegrationEntity.PartitionKey), nameof(IntegrationEntity.RowKey)],
            cancellationToken: cancellationToken))
        {
            if (queued == MaxDailyChecks)
            {
                logger.LogError("The daily health check stopped at {Max} connections; the rest wait for tomorrow",
                    MaxDailyChecks);
                break;
            }
            await queue.SendAsync(IntegrationQueues.IntegrationHealthChecks,
                new IntegrationHealthCheckRequest(row.PartitionKey, row.RowKey), SpreadDelay(row.RowKey),
                cancellationToken);
            queued++;
        }
        logger.LogInformation("Queued {Count} daily connection health checks", queued);
        return queued;
    }

    /// <summary>A stable delay within <see cref="DailySpread"/> derived from the id (the same every day).</summary>
    private static TimeSpan SpreadDelay(string connectionId) => TimeSpan.FromSeconds(
        connectionId.Aggregate(0u, (hash, c) => unchecked((hash * 31) + c)) % (uint)DailySpread.TotalSeconds);
}
