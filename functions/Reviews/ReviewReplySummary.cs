using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>What a review row shows of the reply written through ReviewHub: its status, body, last change, and
/// whether it answers a text the reviewer has since edited.</summary>
internal sealed record ReplySummary(string? Status, string? Body, DateTimeOffset? UpdatedAt, bool Outdated);

/// <summary>
/// The reply summary a review row carries for the review list, written only here: the replies feature owns the reply
/// and calls this after each change; the reviews feature owns the row. While ReviewHub holds a reply for the review,
/// that reply says whether it is outdated (<see cref="ReviewEntity.ReplyOutdated"/> mirrors it); the reviews feature
/// judges by the store's own response only for a review ReviewHub never replied to.
/// </summary>
internal sealed class ReviewReplySummary(TableServiceClient tables)
{
    private readonly TableClient reviews = tables.GetTableClient(ReviewTables.Reviews);

    /// <summary>Copies the reply's summary onto the review, touching nothing else; a no-op when it already matches or
    /// the review is gone.</summary>
    public Task UpdateAsync(string appId, string reviewId, ReplySummary reply, CancellationToken cancellationToken) =>
        reviews.UpdateAsync<ReviewEntity>(appId, reviewId, review =>
        {
            if (review.ReplyStatus == reply.Status && review.ReplyBody == reply.Body
                && review.ReplyUpdatedAt == reply.UpdatedAt && review.ReplyOutdated == reply.Outdated)
            {
                return false;
            }
            review.ReplyStatus = reply.Status;
            review.ReplyBody = reply.Body;
            review.ReplyUpdatedAt = reply.UpdatedAt;
            review.ReplyOutdated = reply.Outdated;
            return true;
        }, cancellationToken);
}
