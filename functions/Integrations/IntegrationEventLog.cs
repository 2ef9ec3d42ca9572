using System.Globalization;
using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// The integration's audit trail (table IntegrationEvents). An event's key is derived from what it records (its time
/// and kind), so recording the same event again — a retried disconnect, a duplicate check — keeps one row.
/// </summary>
internal sealed class IntegrationEventLog(TableServiceClient tables)
{
    /// <summary>The SPA reads the newest events only; older ones stay in the table until the app is removed.</summary>
    public const int ReadLimit = 100;

    private readonly TableClient table = tables.GetTableClient(IntegrationTables.IntegrationEvents);

    public async Task RecordAsync(
        string accountId, string connectionId, IntegrationEventKind kind, DateTimeOffset at, string? by, string? detail,
        CancellationToken cancellationToken)
    {
        var inverted = (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
        await table.TryAddAsync(new IntegrationEventEntity
        {
            PartitionKey = connectionId,
            RowKey = $"{inverted}-{kind}",
            AccountId = accountId,
            Event = kind.ToString(),
            At = at,
            By = by,
            Detail = detail,
        }, cancellationToken);
    }

    /// <summary>The newest events of the app first, at most <see cref="ReadLimit"/>.</summary>
    public async Task<IReadOnlyList<IntegrationEventEntity>> ReadAsync(
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        var events = new List<IntegrationEventEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {connectionId}");
        await foreach (var row in table.QueryRowsAsync<IntegrationEventEntity>(
            filter, ReadLimit, cancellationToken: cancellationToken))
        {
            if (row.AccountId == accountId)
            {
                events.Add(row);
            }
            if (events.Count == ReadLimit)
            {
                break;
            }
        }
        return events;
    }

    public Task PurgeAsync(string connectionId, CancellationToken cancellationToken) =>
        table.DeletePartitionAsync(connectionId, cancellationToken);
}
