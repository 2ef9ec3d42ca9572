using Azure.Data.Tables;

namespace ReviewHub.Storage;

/// <summary>The point read every store does: one row by its keys, or null when there is none.</summary>
internal static class TableRows
{
    public static async Task<T?> FindAsync<T>(this TableClient table, string partitionKey, string rowKey,
        CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var row = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}
