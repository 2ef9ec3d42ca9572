using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// The daily health check of every connection in force: the timer only pages through the integration rows and queues
/// one check per active connection (spread over an hour); the queue function checks one.
/// </summary>
public sealed class IntegrationHealthFunctions(
    IntegrationStore store, IntegrationHealthCheck check, IMessageQueue queue, ILogger<IntegrationHealthFunctions> logger)
{
    /// <summary>Daily at 04:30 UTC (NCRONTAB, in functions.metadata).</summary>
    public const string Schedule = "0 30 4 * * *";

    /// <summary>The checks are spread over this window, so thousands of connections do not call Apple at once.</summary>
    public static readonly TimeSpan Spread = TimeSpan.FromHours(1);

    private static readonly string[] Columns = ["PartitionKey", "RowKey", nameof(IntegrationEntity.ActiveKind)];

    [Function(nameof(ScheduleIntegrationHealthChecks))]
    public async Task ScheduleIntegrationHealthChecks(
        [TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var queued = 0;
        // Paged through TablePaging (a repeated continuation token stops the walk); only the columns needed.
        await foreach (var row in store.Table.QueryRowsAsync<TableEntity>(
            filter: null, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken))
        {
            if (row.GetString(nameof(IntegrationEntity.ActiveKind)) is null)
            {
                continue;
            }
            var delay = TimeSpan.FromSeconds((uint)StableHash(row.RowKey) % (uint)Spread.TotalSeconds);
            await queue.SendAsync(QueueNames.IntegrationHealthChecks,
                new IntegrationHealthCheckRequest(row.PartitionKey, row.RowKey), delay, cancellationToken);
            queued++;
        }
        logger.LogInformation("Queued the daily health check of {Count} connections", queued);
    }

    /// <summary>Idempotent: a check only compares App Store Connect's answer with the row and writes on a change.</summary>
    [Function(nameof(CheckIntegrationHealth))]
    public Task CheckIntegrationHealth(
        [QueueTrigger(QueueNames.IntegrationHealthChecks)] IntegrationHealthCheckRequest request,
        CancellationToken cancellationToken) =>
        check.CheckAsync(request.AccountId, request.AppId, cancellationToken);

    private static int StableHash(string value)
    {
        var hash = 17;
        foreach (var c in value)
        {
            hash = unchecked((hash * 31) + c);
        }
        return hash;
    }
}
