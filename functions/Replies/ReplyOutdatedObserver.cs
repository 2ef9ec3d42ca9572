using ReviewHub.Reviews;

namespace ReviewHub.Replies;

/// <summary>A reviewer edited a review: its reply, written before, may no longer fit (the <c>outdated</c> event).
/// </summary>
internal sealed class ReplyOutdatedObserver(ReplyStore store) : IReviewEditObserver
{
    public Task ReviewEditedAsync(ReviewEntity review, DateTimeOffset seenAt, CancellationToken cancellationToken) =>
        store.MarkOutdatedAsync(review.AppId, review.ReviewId, seenAt, cancellationToken);
}
