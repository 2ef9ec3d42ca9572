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
public sealed class ZendeskChannel(HttpClient http, RouteStore routes, IOptions<DeliveryOptions> options)
    : IDeliveryChannel
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
                ["tags"] = new JsonArray("reviewhub", $"rating_{review.Rating}",
                    $"territory_{review.Territory.ToLowerInvariant()}"),
                ["external_id"] = $"reviewhub-{send.App.AppId}-{review.ReviewId}",
            },
        };
        var baseUrl = options.Value.ZendeskBaseUrlTemplate.Replace("{subdomain}", send.Route.Target,
            StringComparison.Ordinal).TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/api/v2/tickets.json")
        {
            Content = new StringContent(ticket.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = ChannelHttp.Basic($"{credential.Email}/token", credential.ApiToken);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Add("Idempotency-Key", send.IdempotencyKey);

        using var response = await ChannelHttp.SendAsync(http, request, "Zendesk", cancellationToken);
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
                throw new ChannelException(
                    $"Zendesk answered " +
                    $"HTTP {(int)status}:" +
                    $" {ReviewText.Truncate(await response.Content.ReadAsStringAsync(cancellationToken), 300)}");
        }
        using var body = await ChannelHttp.ReadJsonObjectAsync(response, "Zendesk", cancellationToken);
        return body.RootElement.TryGetProperty("ticket", out var created) && created.ValueKind == JsonValueKind.Object
            && created.TryGetProperty("id", out var id) ? id.GetRawText() : null;
    }
}
