using Azure;
using Azure.Data.Tables;
using ReviewHub.AppStoreConnect;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

internal sealed class ApiKeyBudgets(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient table = tables.GetTableClient(ReviewTables.ApiKeyBudgets);

    /// <summary>
    /// Requests the key has left, as last observed, or null when unknown. An observation older than
    /// <paramref name="staleAfter"/> is not trusted: the rolling hour has freed requests since, so the next call
    /// probes.
    /// </summary>
    public async Task<int?> RemainingAsync(string credentialReference, TimeSpan staleAfter,
        CancellationToken cancellationToken)
    {
        var row = await table.FindAsync<ApiKeyBudgetEntity>(credentialReference, ApiKeyBudgetEntity.Row,
            cancellationToken);
        return row is not null && clock.GetUtcNow() - row.ObservedAt < staleAfter ? row.Remaining : null;
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
