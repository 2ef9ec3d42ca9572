using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Observability;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>
/// Tells a reply's life to the routes that subscribe: fans an event out into one message per route (so one failing
/// channel never delays another), then delivers each through the Deliveries ledger like a review — claimed before it
/// is sent, recorded after, never sent twice (row key <c>{routeId}|{reviewId}|v{version}|{event}</c>). Retryable
/// failures release the claim and throw (host retries, then poison); rate limits and claims in flight postpone the
/// message; a refused credential breaks the route.
/// </summary>
internal sealed class ReplyEventDeliverer(
    RouteStore routes, AppStore apps, ReviewReader reviews, DeliveryLedger ledger,
    IEnumerable<IReplyEventChannel> channels,
    BrokenRouteNotifier broken, IMessageQueue queue, ReviewLinks links, ReviewHubMetrics metrics,
    IOptions<DeliveryOptions> options, IOptions<OutboundHttpOptions> outbound, ILogger<ReplyEventDeliverer> logger)
{
    private readonly Dictionary<DeliveryChannel, IReplyEventChannel> byChannel = channels.ToDictionary(c => c.Channel);

    public Task HandleAsync(ReplyEventMessage message, CancellationToken cancellationToken) =>
        message.RouteId is null ? FanOutAsync(message, cancellationToken) : DeliverAsync(message, cancellationToken);

    private async Task FanOutAsync(ReplyEventMessage message, CancellationToken cancellationToken)
    {
        var review = (await reviews.GetAsync(message.AppId, [message.ReviewId], cancellationToken)).SingleOrDefault();
        if (review is null || await apps.GetAsync(message.AccountId, message.AppId, cancellationToken) is null)
        {
            return;
        }
        var subscribed = (await routes.ListAsync(message.AppId, cancellationToken))
            .Where(r => IsLive(r, message) && r.SubscribesTo(message.Kind)
                && r.Matches(review.Rating, review.Territory))
            .ToList();
        foreach (var route in subscribed)
        {
            await queue.SendAsync(DeliveryQueues.ReplyEvents, message with { RouteId = route.RouteId },
                cancellationToken: cancellationToken);
        }
        logger.LogInformation("Reply event {Event} of review {ReviewId} (app {AppId}) fanned out to {Routes} routes",
            message.Event, message.ReviewId, message.AppId, subscribed.Count);
    }

    private async Task DeliverAsync(ReplyEventMessage message, CancellationToken cancellationToken)
    {
        var route = await routes.GetAsync(message.AppId, message.RouteId!, cancellationToken);
        var app = await apps.GetAsync(message.AccountId, message.AppId, cancellationToken);
        var review = (await reviews.GetAsync(message.AppId, [message.ReviewId], cancellationToken)).SingleOrDefault();
        // The subscription is checked again: it may have been dropped since the fan-out.
        if (route is null || app is null || review is null || !IsLive(route, message)
            || !route.SubscribesTo(message.Kind) || !byChannel.TryGetValue(route.ChannelValue, out var channel))
        {
            logger.LogInformation("Skipped reply event {Event} of review {ReviewId} for route {RouteId}: the route, " +
                "app or review is gone, disabled, broken or no longer subscribed", message.Event, message.ReviewId,
                message.RouteId);
            return;
        }
        var name = message.Event;
        var claim = await ledger.TryClaimAsync(message.AppId, route.RouteId, message.EventKey, $"reply-{name}",
            cancellationToken);
        if (claim.Outcome != ClaimOutcome.Claimed)
        {
            metrics.ReplyEventDelivered(route.Channel, name, ReviewHubMetrics.DeliveryOutcomes.Skipped);
            if (claim.Outcome == ClaimOutcome.InFlight)
            {
                // Another attempt holds it: come back when its lease ends (delivered by then, or free to take over).
                if (message.Deferrals >= options.Value.MaxDeferrals)
                {
                    throw new InvalidOperationException(
                        $"Reply event {message.EventKey} stayed in flight for route {route.RouteId}.");
                }
                await DeferAsync(message, claim.LeaseRemaining + TimeSpan.FromSeconds(1), cancellationToken);
            }
            return;
        }

        var announced = await ledger.GetAsync(message.AppId, route.RouteId, message.ReviewId, cancellationToken);
        var send = new ReplyEventSend(route, app, ReviewNotification.From(review, links), message,
            announced is { StateValue: DeliveryState.Delivered, ExternalId: { Length: > 0 } shown } ? shown : null,
            $"{route.RouteId}_{message.EventKey.Replace('|', '_')}");
        string? externalId;
        try
        {
            externalId = await ledger.SendUnderClaimsAsync([claim.Row!],
                () => channel.SendReplyEventAsync(send, cancellationToken));
        }
        catch (Exception ex)
        {
            metrics.ReplyEventDelivered(route.Channel, name, ReviewHubMetrics.DeliveryOutcomes.Failed);
            switch (ex)
            {
                case ChannelException { RouteBroken: true }:
                    await broken.RouteBrokeAsync(route, app, ex.Message, cancellationToken);
                    return;
                case ChannelException { RetryAfter: { } retryAfter }
                    when message.Deferrals < options.Value.MaxDeferrals:
                    logger.LogWarning("Route {RouteId} ({Channel}) is rate limited; reply event {Event} of review " +
                        "{ReviewId} resumes in {RetryAfter}", route.RouteId, route.Channel, message.Event,
                        message.ReviewId, retryAfter);
                    await DeferAsync(message, retryAfter, cancellationToken);
                    return;
            }
            logger.LogWarning("Sending reply event {Event} of review {ReviewId} to route {RouteId} ({Channel}) " +
                "failed: {Error}", message.Event, message.ReviewId, route.RouteId, route.Channel, ex.Message);
            throw;
        }
        metrics.ReplyEventDelivered(route.Channel, name, ReviewHubMetrics.DeliveryOutcomes.Delivered);
        logger.LogInformation("Delivered reply event {Event} of review {ReviewId} to route {RouteId} ({Channel}) as " +
            "{ExternalId}", message.Event, message.ReviewId, route.RouteId, route.Channel, externalId);
    }

    private static bool IsLive(RouteEntity route, ReplyEventMessage message) =>
        route.Enabled && !route.IsBroken && route.AccountId == message.AccountId;

    private Task DeferAsync(ReplyEventMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
        queue.SendAsync(DeliveryQueues.ReplyEvents, message with { Deferrals = message.Deferrals + 1 },
            outbound.Value.DeferralFor(delay), cancellationToken);
}
