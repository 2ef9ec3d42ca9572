using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReviewHub.Json;
using ReviewHub.Http;

namespace ReviewHub.Delivery;

/// <summary>The JSON body of a webhook (event <c>review.created</c>).</summary>
public sealed record WebhookEvent(string Type, DateTimeOffset Timestamp, WebhookReview Data);

public sealed record WebhookReview(
    string AccountId, string AppId, string AppName, string ReviewId, int Rating, string? Title, string? Body,
    string? ReviewerNickname, string Territory, DateTimeOffset CreatedAt, string Url);

/// <summary>
/// Generic webhook: one JSON POST per review, signed the Standard Webhooks way (docs/delivery.md): headers webhook-id
/// (stable across retries), webhook-timestamp and webhook-signature = "v1," + base64 HMAC-SHA256 over
/// "id.timestamp.body". Redirects are not followed; 401/403/404/410 mean the receiver refuses us and the route is
/// broken.
/// </summary>
public sealed class WebhookChannel(HttpClient http, RouteStore routes, TimeProvider clock) : IDeliveryChannel
{
    public const string EventType = "review.created";

    public DeliveryChannel Channel => DeliveryChannel.Webhook;

    public bool SendsDigest(int reviewCount) => false;

    public async Task<string?> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var secret = await routes.GetSecretAsync(send.Route, cancellationToken)
            ?? throw new ChannelException("The route's signing secret is missing; rotate it.", routeBroken: true);
        var review = send.Reviews.Single();
        var now = clock.GetUtcNow();
        var body = JsonSerializer.Serialize(new WebhookEvent(EventType, now, new WebhookReview(
            send.App.AccountId, send.App.AppId, send.App.Name, review.ReviewId, review.Rating, review.Title,
                review.Body,
            review.ReviewerNickname, review.Territory, review.CreatedAt, review.Url)), ReviewHubJson.Options);
        var id = "msg_" + send.IdempotencyKey;
        var timestamp = now.ToUnixTimeSeconds();

        using var request = new HttpRequestMessage(HttpMethod.Post, send.Route.Target)
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
