using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Storage;

internal static class TablePartitions
{
    /// <summary>Azure Tables: at most 100 operations per transaction.</summary>
    public const int MaxBatch = 100;

    /// <summary>
    /// Deletes every row of a partition (an app's data when it is removed). Streams the partition a page of keys at a
    /// time, each page deleted in one transaction, so memory stays flat however large the partition. Idempotent and
    /// safe against an overlapping purge: a transaction that fails because another purge already deleted one of its
    /// rows (404) is redone row by row, skipping rows that are gone.
    /// </summary>
    public static async Task DeletePartitionAsync(this TableClient table, string partitionKey,
        CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        await foreach (var page in table.QueryPagesAsync<TableEntity>(
            filter, MaxBatch, ["PartitionKey", "RowKey"], cancellationToken))
        {
            if (page.Values.Count == 0)
            {
                continue;
            }
            try
            {
                await table.SubmitTransactionAsync(
                    page.Values.Select(row =>
                    new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                foreach (var row in page.Values)
                {
                    await DeleteIfExistsAsync(table, row, cancellationToken);
                }
            }
        }
    }

    private static async Task DeleteIfExistsAsync(TableClient table, TableEntity row,
        CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already deleted by an overlapping purge.
        }
    }
}
