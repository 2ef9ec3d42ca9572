using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReviewHub.Json;
using ReviewHub.Http;

namespace ReviewHub.Delivery;

/// <summary>
/// The JSON body of a webhook (event <c>review.created</c>). <see cref="SchemaVersion"/> says which shape
/// <see cref="Data"/> has (docs/delivery.md): 2 added <c>store</c> and allows a null <c>territory</c> (Google Play).
/// </summary>
internal sealed record WebhookEvent(string Type, int SchemaVersion, DateTimeOffset Timestamp, WebhookReview Data)
{
    public const int CurrentSchemaVersion = 2;
}

/// <summary>The JSON body of a reply event (<c>reply.{event}.v1</c>, docs/delivery.md "Reply events").</summary>
internal sealed record WebhookReplyEvent(string Type, DateTimeOffset Timestamp, WebhookReplyEventData Data);

/// <param name="Territory">ISO 3166 alpha-3; null for Google Play, which has none.</param>
/// <param name="OccurredAt">When the reply changed (the timestamp is when this request was signed).</param>
/// <param name="Store">appStore or googlePlay.</param>
internal sealed record WebhookReplyEventData(
    string AccountId, string AppId, string AppName, string ReviewId, int Rating, string? Territory, string ReviewUrl,
    DateTimeOffset OccurredAt, ReplySnapshot Reply, string Store);

/// <param name="Store">appStore or googlePlay.</param>
/// <param name="Territory">ISO 3166 alpha-3; null for Google Play, which has none.</param>
internal sealed record WebhookReview(
    string AccountId, string AppId, string AppName, string ReviewId, int Rating, string? Title, string? Body,
    string? ReviewerNickname, string? Territory, DateTimeOffset CreatedAt, string Url, string Store);

/// <summary>
/// Generic webhook: one JSON POST per review, signed the Standard Webhooks way (docs/delivery.md): headers webhook-id
/// (stable across retries), webhook-timestamp and webhook-signature = "v1," + base64 HMAC-SHA256 over
/// "id.timestamp.body". Redirects are not followed; 401/403/404/410 mean the receiver refuses us and the route is
/// broken.
/// </summary>
internal sealed class WebhookChannel(HttpClient http, RouteStore routes, TimeProvider clock)
    : IDeliveryChannel, IReplyEventChannel
{
    public const string EventType = "review.created";

    public DeliveryChannel Channel => DeliveryChannel.Webhook;

    public bool SendsDigest(int reviewCount) => false;

    public Task<string?> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var review = send.Reviews.Single();
        var now = clock.GetUtcNow();
        var body = JsonSerializer.Serialize(new WebhookEvent(EventType, WebhookEvent.CurrentSchemaVersion, now,
            new WebhookReview(send.App.AccountId, send.App.AppId, send.App.Name, review.ReviewId, review.Rating,
                review.Title, review.Body, review.ReviewerNickname, TerritoryOrNull(review), review.CreatedAt,
                review.Url, review.Store)),
            ReviewHubJson.Options);
        return PostAsync(send.Route, "msg_" + send.IdempotencyKey, now, body, cancellationToken);
    }

    public Task<string?> SendReplyEventAsync(ReplyEventSend send, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var message = send.Event;
        var body = JsonSerializer.Serialize(new WebhookReplyEvent(ReplyEventTypes.WebhookType(message.Kind), now,
            new WebhookReplyEventData(send.App.AccountId, send.App.AppId, send.App.Name, send.Review.ReviewId,
                send.Review.Rating, TerritoryOrNull(send.Review), send.Review.Url, message.OccurredAt, message.Reply,
                send.Review.Store)),
            ReviewHubJson.Options);
        return PostAsync(send.Route, "msg_" + send.IdempotencyKey, now, body, cancellationToken);
    }

    /// <summary>A Google Play review has no territory: null in payloads rather than an empty string.</summary>
    private static string? TerritoryOrNull(ReviewNotification review) =>
        review.Territory.Length == 0 ? null : review.Territory;

    /// <summary>POSTs one signed event; <paramref name="id"/> is the webhook-id, the same on every retry.</summary>
    private async Task<string?> PostAsync(
        RouteEntity route, string id, DateTimeOffset now, string body, CancellationToken cancellationToken)
    {
        var secret = await routes.GetSecretAsync(route, cancellationToken)
            ?? throw new ChannelException("The route's signing secret is missing; rotate it.", routeBroken: true);
        var timestamp = now.ToUnixTimeSeconds();

        using var request = new HttpRequestMessage(HttpMethod.Post, route.Target)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(secret, id, timestamp, body));
        using var response = await ChannelHttp.SendAsync(http, request, "The webhook receiver", cancellationToken);
        return response.StatusCode switch
        {
            >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices => id,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone =>
                throw new ChannelException(
                    $"The webhook receiver refused the delivery (HTTP {(int)response.StatusCode}).", routeBroken: true),
            HttpStatusCode.TooManyRequests => throw new ChannelException("The webhook receiver asked us to slow down.",
                retryAfter: RetryAfter.Of(response.Headers)),
            var status => throw new ChannelException($"The webhook receiver answered HTTP {(int)status}."),
        };
    }

    /// <summary>Standard Webhooks v1 signature; the key is the base64-decoded secret after "whsec_".</summary>
    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal)
            ? secret["whsec_".Length..] : secret);
        var signature = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(signature);
    }
}
