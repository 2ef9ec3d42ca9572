using Azure;
using Azure.Data.Tables;
using ReviewHub.AppStoreConnect;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// The last <c>X-Rate-Limit</c> seen for an App Store Connect key (table ApiKeyBudgets, PartitionKey = credential
/// reference, RowKey = "hour"). Every fetch of the key consults it before spending requests. The reference is the
/// connection's (<see cref="Integrations.IntegrationCredentials.SecretName"/>: one key serves every app of an App Store
/// Connect team), so the row is shared by the team's apps and removed when the connection's key is retired
/// (disconnect), not with any one app.
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
    /// <paramref name="staleAfter"/> is not trusted: the rolling hour has freed requests since, so the next call
    /// probes.
    /// </summary>
    public async Task<int?> RemainingAsync(string credentialReference, TimeSpan staleAfter,
        CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<ApiKeyBudgetEntity>(credentialReference, ApiKeyBudgetEntity.Row,
            cancellationToken: cancellationToken);
        return row.HasValue && clock.GetUtcNow() - row.Value!.ObservedAt < staleAfter ? row.Value.Remaining : null;
    }

    /// <summary>Forgets the key's budget (the key was retired). Idempotent.</summary>
    public async Task RemoveAsync(string credentialReference, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(credentialReference, ApiKeyBudgetEntity.Row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never recorded, or removed by an earlier purge pass.
        }
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
