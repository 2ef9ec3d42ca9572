using ReviewHub.Reviews;

namespace ReviewHub.Replies;

/// <summary>A reviewer edited a review: its reply, if written before the edit, may no longer fit (the <c>outdated</c>
/// event). A reply written after the edit but before a fetch saw it is not outdated.</summary>
internal sealed class ReplyOutdatedObserver(ReplyStore store) : IReviewEditObserver
{
    public Task ReviewEditedAsync(ReviewEntity review, DateTimeOffset editedAt, CancellationToken cancellationToken) =>
        store.MarkOutdatedAsync(review.AppId, review.ReviewId, editedAt, cancellationToken);
}
