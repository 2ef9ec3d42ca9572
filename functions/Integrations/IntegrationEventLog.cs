using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>What happened to a connection after its setup: the audit trail the SPA reads.</summary>
public enum IntegrationEventKind
{
    Degraded,
    Recovered,
    Disconnected,
}

/// <summary>One event of an app's integration audit trail. PartitionKey = connectionId, RowKey = newest
/// first.</summary>
public sealed class IntegrationEventEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = string.Empty;

    /// <summary><see cref="IntegrationEventKind"/> as text.</summary>
    public string Event { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    /// <summary>The member who acted, or null for ReviewHub itself (a refused call, the health check).</summary>
    public string? By { get; set; }

    /// <summary>The cause or what was done, in words (never a key).</summary>
    public string? Detail { get; set; }
}

/// <summary>
/// The integration's audit trail (table IntegrationEvents). An event's key is derived from what it records (its time
/// and kind), so recording the same event again — a retried disconnect, a duplicate check — keeps one row.
/// </summary>
public sealed class IntegrationEventLog(TableServiceClient tables)
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
