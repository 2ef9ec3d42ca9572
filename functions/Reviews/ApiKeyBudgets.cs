using Azure;
using Azure.Data.Tables;
using ReviewHub.AppStoreConnect;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// The last <c>X-Rate-Limit</c> seen for an App Store Connect key (table ApiKeyBudgets, PartitionKey = credential reference,
/// RowKey = "hour"). Several apps can share a key, so fetches of all of them consult it before spending requests.
/// </summary>
public sealed class ApiKeyBudgetEntity : ITableEntity
{
    public const string Row = "hour";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int HourlyLimit { get; set; }
    public int Remaining { get; set; }
    public DateTimeOffset ObservedAt { get; set; }
}

public sealed class ApiKeyBudgets(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient table = tables.GetTableClient(TableNames.ApiKeyBudgets);

    /// <summary>
    /// Requests the key has left, as last observed, or null when unknown. An observation older than
    /// <paramref name="staleAfter"/> is not trusted: the rolling hour has freed requests since, so the next call probes.
    /// </summary>
    public async Task<int?> RemainingAsync(string credentialReference, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<ApiKeyBudgetEntity>(credentialReference, ApiKeyBudgetEntity.Row, cancellationToken: cancellationToken);
        return row.HasValue && clock.GetUtcNow() - row.Value!.ObservedAt < staleAfter ? row.Value.Remaining : null;
    }

    public async Task RecordAsync(string credentialReference, RateLimit? rateLimit, CancellationToken cancellationToken)
    {
        if (rateLimit is null)
        {
            return;
        }
        await table.UpsertEntityAsync(new ApiKeyBudgetEntity
        {
            PartitionKey = credentialReference,
            HourlyLimit = rateLimit.HourlyLimit,
            Remaining = rateLimit.Remaining,
            ObservedAt = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, cancellationToken);
    }
}
