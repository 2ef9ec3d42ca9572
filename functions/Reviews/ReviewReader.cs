using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// The reads the reviews feature offers other features (delivery, replies, reply rules): they never query the Reviews
/// table themselves.
/// </summary>
internal sealed class ReviewReader(TableServiceClient tables, ReviewKeys keys)
{
    private readonly TableClient reviews = tables.GetTableClient(ReviewTables.Reviews);

    /// <summary>The review if it exists and belongs to the account (a review of another account is not found), by
    /// its id or the other source's id of it (<see cref="ReviewKeys.FindAsync"/>).</summary>
    public async Task<ReviewEntity?> FindForAccountAsync(string accountId, string appId, string reviewId,
        CancellationToken cancellationToken)
    {
        if (!ReviewIds.IsValid(reviewId))
        {
            return null;
        }
        var row = await keys.FindAsync(appId, reviewId, cancellationToken);
        return row is not null && row.AccountId == accountId ? row : null;
    }

    /// <summary>The account's reviews of the app created since <paramref name="since"/>, at most
    /// <paramref name="max"/> of them (the loop is bounded).</summary>
    public async IAsyncEnumerable<ReviewEntity> CreatedSinceAsync(string accountId, string appId,
        DateTimeOffset since, int max, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {appId} and CreatedAt ge {since} and AccountId eq {accountId}");
        var read = 0;
        await foreach (var review in reviews.QueryRowsAsync<ReviewEntity>(filter,
            cancellationToken: cancellationToken))
        {
            if (++read > max)
            {
                yield break;
            }
            yield return review;
        }
    }

    /// <summary>Loads review rows by id (point reads, a few in parallel); ids without a row are skipped.</summary>
    public async Task<IReadOnlyList<ReviewEntity>> GetAsync(string appId, IReadOnlyList<string> reviewIds,
        CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<string, ReviewEntity>();
        await Parallel.ForEachAsync(reviewIds.Distinct(),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (reviewId, token) =>
            {
                var row = await reviews.FindAsync<ReviewEntity>(appId, reviewId, token);
                if (row is not null)
                {
                    found[reviewId] = row;
                }
            });
        // Keep the batch's order (newest first, as ingestion sends it).
        return reviewIds.Distinct().Where(found.ContainsKey).Select(id => found[id]).ToList();
    }
}
