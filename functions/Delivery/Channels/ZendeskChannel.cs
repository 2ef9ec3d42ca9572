using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Text;

namespace ReviewHub.Delivery;

/// <summary>
/// Zendesk: one ticket per review (<c>POST /api/v2/tickets.json</c>, API-token Basic auth) with an Idempotency-Key that
/// is stable across retries and an external_id linking back to the review, so a retried create does not open a second
/// ticket.
/// </summary>
internal sealed class ZendeskChannel(HttpClient http, RouteStore routes, IOptions<DeliveryOptions> options)
    : IDeliveryChannel, IReplyEventChannel
{
    public DeliveryChannel Channel => DeliveryChannel.Zendesk;

    public bool SendsDigest(int reviewCount) => false;

    public async Task<string?> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var credential = await routes.GetZendeskCredentialAsync(send.Route, cancellationToken)
            ?? throw new ChannelException("The route's Zendesk credential is missing; update the route.",
                routeBroken: true);
        var review = send.Reviews.Single();
        var ticket = new JsonObject
        {
            ["ticket"] = new JsonObject
            {
                ["subject"] = ReviewText.Truncate(
                    DisplayText.OneLine($"{send.App.Name}: {ReviewText.Heading(review)}"), 150),
                ["comment"] = new JsonObject
                {
                    ["body"] = $"{review.Title}\n\n{review.Body}\n\n{ReviewText.Byline(review)}\n{review.Url}",
                    ["public"] = false,
                },
                ["tags"] = Tags(review),
                ["external_id"] = $"reviewhub-{send.App.AppId}-{review.ReviewId}",
            },
        };
        using var request = Request(HttpMethod.Post, send.Route, "api/v2/tickets.json", ticket, credential);
        request.Headers.Add("Idempotency-Key", send.IdempotencyKey);

        using var response = await ChannelHttp.SendAsync(http, request, "Zendesk", cancellationToken);
        await ThrowOnFailureAsync(response, cancellationToken);
        using var body = await ChannelHttp.ReadJsonObjectAsync(response, "Zendesk", cancellationToken);
        return body.RootElement.TryGetProperty("ticket", out var created) && created.ValueKind == JsonValueKind.Object
            && created.TryGetProperty("id", out var id) ? id.GetRawText() : null;
    }

    /// <summary>reviewhub, rating_N, store_appstore / store_googleplay, and territory_xxx when the store has one.
    /// </summary>
    private static JsonArray Tags(ReviewNotification review)
    {
        var tags = new JsonArray("reviewhub", $"rating_{review.Rating}", $"store_{review.Store.ToLowerInvariant()}");
        if (review.Territory.Length > 0)
        {
            tags.Add($"territory_{review.Territory.ToLowerInvariant()}");
        }
        return tags;
    }

    /// <summary>
    /// A reply event is a private comment on the review's ticket (the one this route opened: its id is in the
    /// ledger); a published reply also solves the ticket. A review this route never opened a ticket for has nothing
    /// to comment on (null, nothing sent), nor has a ticket deleted (404) or closed (422) since: Zendesk keeps
    /// closed tickets read-only. Updates take no Idempotency-Key; the ledger sends each event once.
    /// </summary>
    public async Task<string?> SendReplyEventAsync(ReplyEventSend send, CancellationToken cancellationToken)
    {
        if (send.ReviewMessageId is not { Length: > 0 } ticketId)
        {
            return null;
        }
        var credential = await routes.GetZendeskCredentialAsync(send.Route, cancellationToken)
            ?? throw new ChannelException("The route's Zendesk credential is missing; update the route.",
                routeBroken: true);
        var reply = send.Event.Reply;
        var comment = $"ReviewHub: {ReplyEventText.Line(send.Event)}\n\n{reply.Body}\n\n{send.Review.Url}";
        var update = new JsonObject
        {
            ["comment"] = new JsonObject { ["body"] = comment.TrimEnd(), ["public"] = false },
        };
        if (send.Event.Kind == ReplyEventKind.Published)
        {
            update["status"] = "solved";
        }
        using var request = Request(HttpMethod.Put, send.Route, $"api/v2/tickets/{Uri.EscapeDataString(ticketId)}.json",
            new JsonObject { ["ticket"] = update }, credential);
        using var response = await ChannelHttp.SendAsync(http, request, "Zendesk", cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity)
        {
            return null;
        }
        await ThrowOnFailureAsync(response, cancellationToken);
        return ticketId;
    }

    private HttpRequestMessage Request(
        HttpMethod method, RouteEntity route, string path, JsonObject body, ZendeskCredential credential)
    {
        var baseUrl = options.Value.ZendeskBaseUrlTemplate
            .Replace("{subdomain}", route.Target, StringComparison.Ordinal).TrimEnd('/');
        var request = new HttpRequestMessage(method, $"{baseUrl}/{path}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = ChannelHttp.Basic($"{credential.Email}/token", credential.ApiToken);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    private static async Task ThrowOnFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound:
                throw new ChannelException(
                    $"Zendesk refused the credentials or subdomain (HTTP {(int)response.StatusCode}).",
                    routeBroken: true);
            case HttpStatusCode.TooManyRequests:
                throw new ChannelException("Zendesk rate limited the account.",
                    retryAfter: RetryAfter.Of(response.Headers));
            case var status when !response.IsSuccessStatusCode:
                throw new ChannelException($"Zendesk answered HTTP {(int)status}: " +
                    ReviewText.Truncate(await response.Content.ReadAsStringAsync(cancellationToken), 300));
        }
    }
}
