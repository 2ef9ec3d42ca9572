using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// The reply summary a review row carries for the review list (status, body, time), written only here: the replies
/// feature owns the reply and calls this after each change; the reviews feature owns the row.
/// </summary>
internal sealed class ReviewReplySummary(TableServiceClient tables)
{
    private readonly TableClient reviews = tables.GetTableClient(ReviewTables.Reviews);

    /// <summary>Copies the reply's status, body and time onto the review, touching nothing else; a no-op when they
    /// already match or the review is gone.</summary>
    public Task UpdateAsync(string appId, string reviewId, string? status, string? body, DateTimeOffset? updatedAt,
        CancellationToken cancellationToken) =>
        reviews.UpdateAsync<ReviewEntity>(appId, reviewId, review =>
        {
            if (review.ReplyStatus == status && review.ReplyBody == body && review.ReplyUpdatedAt == updatedAt)
            {
                return false;
            }
            review.ReplyStatus = status;
            review.ReplyBody = body;
            review.ReplyUpdatedAt = updatedAt;
            return true;
        }, cancellationToken);
}
