using ReviewHub.Apps;
using ReviewHub.Reviews;
using ReviewHub.Text;

namespace ReviewHub.Delivery;

/// <summary>
/// A review as channels show it, with the link to it in the SPA and the store it was written in (<see cref="Stores"/>;
/// a Google Play review has no territory: empty).
/// </summary>
public sealed record ReviewNotification(
    string ReviewId, int Rating, string? Title, string? Body, string? ReviewerNickname, string Territory,
    DateTimeOffset CreatedAt, string Url, string Store = Stores.AppStore)
{
    public static ReviewNotification From(ReviewEntity review, ReviewLinks links) => new(
        review.ReviewId, review.Rating, review.Title, review.Body, review.ReviewerNickname, review.Territory,
        review.CreatedAt,
        links.Review(review.AccountId, review.AppId, review.ReviewId), ReviewSources.StoreOf(review.Source));

    public string Stars => new string('★', Math.Clamp(Rating, 0, 5)) + new string('☆', 5 - Math.Clamp(Rating, 0, 5));
}

/// <summary>One send: the route, its app, the reviews, and a key that is the same every time this send is
/// attempted.</summary>
/// <param name="IdempotencyKey">Stable across retries: Zendesk's Idempotency-Key and the webhook-id, so receivers can
/// drop a repeat.</param>
public sealed record ChannelSend(RouteEntity Route, AppEntity App, IReadOnlyList<ReviewNotification> Reviews,
    string IdempotencyKey, string AppReviewsUrl);

/// <summary>
/// A channel refused or failed a send. <see cref="RouteBroken"/>: the customer must fix the route (credentials,
/// target); retrying cannot help. Otherwise the send may be retried, after <see cref="RetryAfter"/> when the channel
/// said so.
/// </summary>
public sealed class ChannelException(string message, bool routeBroken = false, TimeSpan? retryAfter = null,
    Exception? inner = null)
    : Exception(message, inner)
{
    public bool RouteBroken { get; } = routeBroken;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A delivery channel: how it groups reviews and how it sends them.</summary>
public interface IDeliveryChannel
{
    DeliveryChannel Channel { get; }

    /// <summary>True when <paramref name="reviewCount"/> reviews go out as one digest; false for one send per
    /// review.</summary>
    bool SendsDigest(int reviewCount);

    /// <summary>Sends and returns the channel's id for what it created (Slack ts, ticket id, message id). Throws <see
    /// cref="ChannelException"/>.</summary>
    Task<string?> SendAsync(ChannelSend send, CancellationToken cancellationToken);
}

/// <summary>Links into the SPA.</summary>
public sealed class ReviewLinks(string spaBaseUrl)
{
    private readonly string baseUrl = spaBaseUrl.TrimEnd('/');

    public string Reviews(string accountId, string appId) => $"{baseUrl}/accounts/{accountId}/apps/{appId}/reviews";

    public string Routes(string accountId, string appId) => $"{baseUrl}/accounts/{accountId}/apps/{appId}/routes";

    public string Review(string accountId, string appId, string reviewId) =>
        $"{Reviews(accountId, appId)}/{Uri.EscapeDataString(reviewId)}";
}

/// <summary>
/// The words every channel uses for a review; each channel escapes and cuts them with <see cref="DisplayText"/>.
/// </summary>
internal static class ReviewText
{
    public static string Truncate(string? text, int max) => DisplayText.Truncate(text, max);

    public static string Heading(ReviewNotification review) =>
        $"{review.Stars} {Truncate(DisplayText.OneLine(review.Title ?? "(no title)"), 120)}";

    /// <summary>"Nickname · App Store · USA · date", or "Nickname · Google Play · date" (Play has no territory).
    /// </summary>
    public static string Byline(ReviewNotification review) =>
        $"{Truncate(DisplayText.OneLine(review.ReviewerNickname ?? "Anonymous"), 100)} · " +
        $"{Stores.DisplayName(review.Store)} · " +
        (review.Territory.Length > 0 ? $"{review.Territory} · " : "") + $"{review.CreatedAt:yyyy-MM-dd}";

    public static string Summary(ChannelSend send) => send.Reviews.Count == 1
        ? $"New {send.Reviews[0].Rating}-star review of {send.App.Name}"
        : $"{send.Reviews.Count} new reviews of {send.App.Name}";
}
