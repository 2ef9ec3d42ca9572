using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Storage;

/// <summary>One fixed-window counter. PartitionKey = the owning account, RowKey = what is counted (e.g. "route-test|{routeId}").</summary>
public sealed class RateLimitEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset WindowStart { get; set; }
    public int Count { get; set; }
}

/// <summary>Whether an action may happen now, and if not, when the caller may try again.</summary>
public sealed record RateDecision(bool Allowed, TimeSpan RetryAfter);

/// <summary>
/// Fixed-window rate limits kept in Table Storage, so every instance counts the same actions: at most
/// <c>limit</c> actions per key per window. One row per key (updated with ETags), in the owning account's partition.
/// </summary>
public sealed class RateLimiter(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient table = tables.GetTableClient(TableNames.RateLimits);

    public async Task<RateDecision> TryAcquireAsync(
        string partition, string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var row = await table.GetEntityIfExistsAsync<RateLimitEntity>(partition, key, cancellationToken: cancellationToken);
            if (!row.HasValue)
            {
                var fresh = new RateLimitEntity { PartitionKey = partition, RowKey = key, WindowStart = now, Count = 1 };
                if (await table.TryAddAsync(fresh, cancellationToken))
                {
                    return new RateDecision(true, TimeSpan.Zero);
                }
                continue;
            }
            var counter = row.Value!;
            if (counter.WindowStart + window <= now)
            {
                counter.WindowStart = now;
                counter.Count = 0;
            }
            if (counter.Count >= limit)
            {
                return new RateDecision(false, counter.WindowStart + window - now);
            }
            counter.Count++;
            try
            {
                await table.UpdateEntityAsync(counter, counter.ETag, TableUpdateMode.Replace, cancellationToken);
                return new RateDecision(true, TimeSpan.Zero);
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < OptimisticConcurrency.DefaultAttempts)
            {
                // Another request counted meanwhile: count again on the fresh row.
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
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
