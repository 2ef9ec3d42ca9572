using ReviewHub.Apps;
using ReviewHub.Reviews;

namespace ReviewHub.Delivery;

/// <summary>
/// A review as channels show it, with the link to it in the SPA and the store it was written in (<see cref="Stores"/>;
/// a Google Play review has no territory: empty).
/// </summary>
internal sealed record ReviewNotification(
    string ReviewId, int Rating, string? Title, string? Body, string? ReviewerNickname, string Territory,
    DateTimeOffset CreatedAt, string Url, string Store = Stores.AppStore)
{
    public static ReviewNotification From(ReviewEntity review, ReviewLinks links) => new(
        review.ReviewId, review.Rating, review.Title, review.Body, review.ReviewerNickname, review.Territory,
        review.CreatedAt,
        links.Review(review.AccountId, review.AppId, review.ReviewId), ReviewSources.StoreOf(review.Source));

    public string Stars => new string('★', Math.Clamp(Rating, 0, 5)) + new string('☆', 5 - Math.Clamp(Rating, 0, 5));
}
