using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// The other keys stored reviews are found by (table ReviewKeys, see <see cref="ReviewKeyEntity"/>): written by
/// <see cref="ReviewStore"/> when it matches or inserts reviews, read by every lookup of a review by id.
/// </summary>
internal sealed class ReviewKeys(TableServiceClient tables)
{
    private readonly TableClient reviews = tables.GetTableClient(ReviewTables.Reviews);
    private readonly TableClient keys = tables.GetTableClient(ReviewTables.ReviewKeys);

    /// <summary>
    /// The review stored under <paramref name="reviewId"/>, or the matched review that carries it as the other
    /// source's id (a reply addressed to the App Store Connect id of a review the feed probe stored first). One point
    /// read when the id is the stored one; two more when it is the other one.
    /// </summary>
    public async Task<ReviewEntity?> FindAsync(string appId, string reviewId, CancellationToken cancellationToken)
    {
        if (await reviews.FindAsync<ReviewEntity>(appId, reviewId, cancellationToken) is { } row)
        {
            return row;
        }
        var alias = await keys.FindAsync<ReviewKeyEntity>(appId, ReviewKeyEntity.AliasKey(reviewId),
            cancellationToken);
        var stored = alias is null ? null
            : await reviews.FindAsync<ReviewEntity>(appId, alias.ReviewId, cancellationToken);
        // The alias is written before the row is merged: it counts only once the row carries the id.
        return stored is not null && (stored.AscReviewId == reviewId || stored.FeedReviewId == reviewId)
            ? stored
            : null;
    }

    /// <summary>Records that <paramref name="otherId"/> names the stored review <paramref name="storedId"/>.</summary>
    public Task AddAliasAsync(string appId, string otherId, string storedId, CancellationToken cancellationToken) =>
        keys.UpsertEntityAsync(new ReviewKeyEntity
        {
            PartitionKey = appId, RowKey = ReviewKeyEntity.AliasKey(otherId), ReviewId = storedId,
        }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Records the reviewer of each inserted review (one transaction per 100, the app's partition).</summary>
    public async Task AddReviewersAsync(
        string appId, IReadOnlyList<ReviewEntity> inserted, CancellationToken cancellationToken)
    {
        foreach (var chunk in inserted.DistinctBy(r => ReviewKeyEntity.ReviewerKey(r.Territory, r.ReviewerNickname))
            .Chunk(TablePartitions.MaxBatch))
        {
            await keys.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace, new ReviewKeyEntity
                {
                    PartitionKey = appId, RowKey = ReviewKeyEntity.ReviewerKey(r.Territory, r.ReviewerNickname),
                    ReviewId = r.ReviewId, Source = r.Source,
                })), cancellationToken);
        }
    }

    /// <summary>
    /// The stored review of each reviewer of <paramref name="reviews"/> who has one in the review's territory:
    /// <see cref="ReviewKeyEntity.ReviewerKey"/> → its key row (point reads, in parallel).
    /// </summary>
    public async Task<Dictionary<string, ReviewKeyEntity>> ReviewersAsync(
        string appId, IEnumerable<FetchedReview> reviews, CancellationToken cancellationToken)
    {
        var wanted = reviews.Select(r => ReviewKeyEntity.ReviewerKey(r.Territory, r.ReviewerNickname))
            .Distinct(StringComparer.Ordinal).ToList();
        var found = await Task.WhenAll(wanted.Select(key => keys.FindAsync<ReviewKeyEntity>(appId, key,
            cancellationToken)));
        return found.OfType<ReviewKeyEntity>().ToDictionary(k => k.RowKey, StringComparer.Ordinal);
    }

    /// <summary>Deletes every key of an app (app removed). Idempotent.</summary>
    public Task PurgeAsync(string appId, CancellationToken cancellationToken) =>
        keys.DeletePartitionAsync(appId, cancellationToken);
}
