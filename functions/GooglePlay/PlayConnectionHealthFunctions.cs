using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Storage;

namespace ReviewHub.GooglePlay;

/// <summary>
/// Health checks of Play connections in force: one per account from the queue (queued by a refused call, by "I fixed
/// it" when Google did not answer, and by the daily timer).
/// </summary>
internal sealed class PlayConnectionHealthFunctions(
    PlayConnectionHealth health, PlayConnectionStore store, IMessageQueue queue,
    ILogger<PlayConnectionHealthFunctions> logger)
{
    /// <summary>Daily at 05:30 UTC, after the App Store Connect checks.</summary>
    public const string DailySchedule = "0 30 5 * * *";

    /// <summary>The daily checks are spread over this window so Play sees a trickle.</summary>
    public static readonly TimeSpan DailySpread = TimeSpan.FromHours(1);

    /// <summary>Bounds one run's fan-out; the rest waits for the next day (an error is logged).</summary>
    public const int MaxDailyChecks = 50_000;

    /// <summary>Idempotent: a check writes, records and emails only on a change.</summary>
    [Function(nameof(CheckPlayConnection))]
    public async Task CheckPlayConnection(
        [QueueTrigger(GooglePlayQueues.PlayConnectionChecks)] PlayConnectionCheckRequest request,
        CancellationToken cancellationToken)
    {
        if (await health.CheckAsync(request.AccountId, cancellationToken) == PlayHealthOutcome.Undecided)
        {
            await queue.SendAsync(GooglePlayQueues.PlayConnectionChecks, request, TimeSpan.FromMinutes(15),
                cancellationToken);
        }
    }

    [Function(nameof(QueueDailyPlayConnectionChecks))]
    public Task QueueDailyPlayConnectionChecks([TimerTrigger(DailySchedule)] TimerInfo timer,
        CancellationToken cancellationToken) => QueueDailyAsync(cancellationToken);

    /// <summary>Queues one check per connection in force (degraded too: its next check may find it fixed).</summary>
    public async Task<int> QueueDailyAsync(CancellationToken cancellationToken)
    {
        var queued = 0;
        var filter = TableClient.CreateQueryFilter(
            $"Status eq {nameof(PlayConnectionStatus.Active)} or Status eq {nameof(PlayConnectionStatus.Degraded)}");
        await foreach (var row in store.Table.QueryRowsAsync<PlayConnectionEntity>(filter,
            select: [nameof(PlayConnectionEntity.PartitionKey)], cancellationToken: cancellationToken))
        {
            if (queued == MaxDailyChecks)
            {
                logger.LogError("The daily Play check stopped at {Max} connections; the rest wait for tomorrow",
                    MaxDailyChecks);
                break;
            }
            await queue.SendAsync(GooglePlayQueues.PlayConnectionChecks,
                new PlayConnectionCheckRequest(row.PartitionKey), SpreadDelay(row.PartitionKey), cancellationToken);
            queued++;
        }
        logger.LogInformation("Queued {Count} daily Google Play connection checks", queued);
        return queued;
    }

    private static TimeSpan SpreadDelay(string accountId) => TimeSpan.FromSeconds(
        accountId.Aggregate(0u, (hash, c) => unchecked((hash * 31) + c)) % (uint)DailySpread.TotalSeconds);
}
