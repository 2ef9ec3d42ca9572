using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Storage;

/// <summary>Whether an action may happen now, and if not, when the caller may try again.</summary>
internal sealed record RateDecision(bool Allowed, TimeSpan RetryAfter);

/// <summary>
/// Fixed-window rate limits kept in Table Storage, so every instance counts the same actions: at most
/// <c>limit</c> actions per key per window. One row per key (updated with ETags), in the owning account's partition.
/// </summary>
internal sealed class RateLimiter(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient table = tables.GetTableClient(SharedTables.RateLimits);

    public Task<RateDecision> TryAcquireAsync(
        string partition,
        string key,
        int limit,
        TimeSpan window,
        CancellationToken cancellationToken
    ) => TryAcquireAllAsync(partition, [(key, limit)], window, cancellationToken);

    /// <summary>
    /// Counts one action against every key, or against none: when any key is at its limit nothing is written (a refused
    /// request changes nothing) and the answer says when the fullest window ends.
    /// </summary>
    public async Task<RateDecision> TryAcquireAllAsync(
        string partition,
        IReadOnlyList<(string Key, int Limit)> keys,
        TimeSpan window,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var counters = new List<(RateLimitEntity Row, bool IsNew)>();
            foreach (var (key, limit) in keys)
            {
                var existing = await table.GetEntityIfExistsAsync<RateLimitEntity>(
                    partition,
                    key,
                    cancellationToken: cancellationToken
                );
                var row = existing.HasValue
                    ? existing.Value!
                    : new RateLimitEntity
                    {
                        PartitionKey = partition,
                        RowKey = key,
                        WindowStart = now,
                    };
                if (row.WindowStart + window <= now)
                {
                    row.WindowStart = now;
                    row.Count = 0;
                }
                if (row.Count >= limit)
                {
                    return new RateDecision(false, row.WindowStart + window - now);
                }
                counters.Add((row, !existing.HasValue));
            }
            try
            {
                foreach (var (row, isNew) in counters)
                {
                    row.Count++;
                    if (isNew)
                    {
                        await table.AddEntityAsync(row, cancellationToken);
                    }
                    else
                    {
                        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                    }
                }
                return new RateDecision(true, TimeSpan.Zero);
            }
            catch (RequestFailedException ex)
                when (ex.Status is 409 or 412 && attempt < OptimisticConcurrency.DefaultAttempts)
            {
                // Another request counted meanwhile: count again on the fresh rows.
            }
        }
    }

    /// <summary>Deletes a counter whose subject is gone (a deleted route).</summary>
    public async Task ForgetAsync(string partition, string key, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partition, key, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404) { }
    }
}
