using ReviewHub.Apps;

namespace ReviewHub.Delivery;

/// <summary>One reply event for one route, with the review and the channel's id of the review's own message (Slack
/// <c>ts</c>, Zendesk ticket id) when the route announced the review.</summary>
/// <param name="IdempotencyKey">Stable across retries: the webhook-id.</param>
internal sealed record ReplyEventSend(
    RouteEntity Route, AppEntity App, ReviewNotification Review, ReplyEventMessage Event, string? ReviewMessageId,
    string IdempotencyKey);
