using ReviewHub.Apps;

namespace ReviewHub.Delivery;

/// <summary>One send: the route, its app, the reviews, and a key that is the same every time this send is
/// attempted.</summary>
/// <param name="IdempotencyKey">Stable across retries: Zendesk's Idempotency-Key and the webhook-id, so receivers can
/// drop a repeat.</param>
internal sealed record ChannelSend(RouteEntity Route, AppEntity App, IReadOnlyList<ReviewNotification> Reviews,
    string IdempotencyKey, string AppReviewsUrl);
