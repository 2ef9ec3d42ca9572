using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Storage;

internal static class OptimisticConcurrency
{
    public const int DefaultAttempts = 5;

    /// <summary>
    /// Reads an entity, applies <paramref name="mutate"/> and writes it back only if nobody changed it meanwhile
    /// (ETag). A lost race re-reads and re-applies; after the budget it throws rather than overwrite someone else's
    /// write. Returns null when the entity does not exist; <paramref name="mutate"/> returns false to skip the write.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068",
        Justification = "attempts is a rarely-set tuning knob, passed by name after the token.")]
    public static async Task<T?> UpdateAsync<T>(
        this TableClient table, string partitionKey, string rowKey, Func<T, bool> mutate,
        CancellationToken cancellationToken = default, int attempts = DefaultAttempts)
        where T : class, ITableEntity, new()
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey,
                cancellationToken: cancellationToken);
            if (!existing.HasValue || existing.Value is null)
            {
                return null;
            }

            var entity = existing.Value;
            if (!mutate(entity))
            {
                return entity;
            }

            try
            {
                var response = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace,
                    cancellationToken);
                entity.ETag = response.Headers.ETag ?? entity.ETag;
                return entity;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                if (attempt >= attempts)
                {
                    throw new ConcurrencyConflictException(
                        $"{table.Name}/{partitionKey}/{rowKey} kept changing during {attempts} update attempts.", ex);
                }
            }
        }
    }

    /// <summary>Inserts the entity; false when a row with the same keys already exists (the caller lost the
    /// race).</summary>
    public static async Task<bool> TryAddAsync<T>(this TableClient table, T entity,
        CancellationToken cancellationToken = default)
        where T : ITableEntity
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }
}
