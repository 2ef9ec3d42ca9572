using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Observability;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>
/// Delivers one <see cref="DeliveryWork"/>: claims each (review, route) in the ledger before sending, records it after,
/// and never sends a pair that is delivered or in flight elsewhere. Retryable failures release their claims and throw
/// (host retries, then the poison queue); rate limits and in-flight pairs postpone the work; a refused credential
/// breaks the route.
/// </summary>
internal sealed class RouteDeliverer(
    RouteStore routes, AppStore apps, ReviewReader reviews, DeliveryLedger ledger,
        IEnumerable<IDeliveryChannel> channels,
    BrokenRouteNotifier broken, IMessageQueue queue, ReviewLinks links, ReviewHubMetrics metrics,
    EmailConfirmationStore confirmations, TimeProvider clock, IOptions<DeliveryOptions> options,
    IOptions<OutboundHttpOptions> outbound, ILogger<RouteDeliverer> logger)
{
    private readonly Dictionary<DeliveryChannel, IDeliveryChannel> byChannel = channels.ToDictionary(c => c.Channel);

    public async Task DeliverAsync(DeliveryWork work, CancellationToken cancellationToken)
    {
        var route = await routes.GetAsync(work.AppId, work.RouteId, cancellationToken);
        var app = await apps.GetAsync(work.AccountId, work.AppId, cancellationToken);
        if (route is null || app is null || route.AccountId != work.AccountId || !route.Enabled || route.IsBroken)
        {
            logger.LogInformation(
                "Skipped delivery of batch {BatchId} to route {RouteId}: the route or app is gone, disabled or broken",
                work.BatchId, work.RouteId);
            return;
        }
        if (route.ChannelValue == DeliveryChannel.Email
            && (await confirmations.ConfirmedAsync(route.AccountId, route.Recipients, cancellationToken)).Count == 0)
        {
            // Like a disabled route: nothing is claimed, so the ledger does not record sends that never happened.
            logger.LogInformation(
                "Skipped delivery of batch {BatchId} to email route {RouteId}: no recipient has confirmed yet",
                work.BatchId, work.RouteId);
            return;
        }

        var matching = (await reviews.GetAsync(work.AppId, work.ReviewIds, cancellationToken))
            .Where(r => !r.Backfilled && route.Matches(r.Rating, r.Territory))
            .ToList();
        var channel = byChannel[route.ChannelValue];
        var inFlight = new List<Claim>();
        try
        {
            if (channel.SendsDigest(matching.Count))
            {
                await DeliverDigestAsync(work, route, app, matching, channel, inFlight, cancellationToken);
            }
            else
            {
                foreach (var review in matching)
                {
                    await DeliverOneAsync(work, route, app, review, channel, inFlight, cancellationToken);
                }
            }
        }
        catch (ChannelException ex) when (ex.RouteBroken)
        {
            await broken.RouteBrokeAsync(route, app, ex.Message, cancellationToken);
            return;
        }
        catch (ChannelException ex) when (ex.RetryAfter is { } retryAfter
            && work.Deferrals < options.Value.MaxDeferrals)
        {
            logger.LogWarning("Route {RouteId} ({Channel}) is rate limited; batch {BatchId} resumes in {RetryAfter}",
                route.RouteId, route.Channel, work.BatchId, retryAfter);
            await DeferAsync(work, work.ReviewIds, retryAfter, cancellationToken);
            return;
        }

        if (inFlight.Count > 0)
        {
            // Another attempt holds these pairs. Come back when its lease ends: by then they are delivered, or free to
            // take over.
            var ids = inFlight.Select(c => c.Row!.RowKey[(work.RouteId.Length + 1)..]).ToList();
            if (work.Deferrals >= options.Value.MaxDeferrals)
            {
                throw new InvalidOperationException(
                    $"{ids.Count} reviews of batch {work.BatchId} stayed in flight for route {work.RouteId}.");
            }
            await DeferAsync(work, ids, inFlight.Max(c => c.LeaseRemaining) + TimeSpan.FromSeconds(1),
                cancellationToken);
        }
    }

    /// <summary>Sends a test message through the route's channel now, outside the ledger. Throws <see
    /// cref="ChannelException"/>.</summary>
    public Task<string?> SendTestAsync(RouteEntity route, AppEntity app, CancellationToken cancellationToken)
    {
        var sample = new ReviewNotification("test", 5, "Test message from ReviewHub",
            "This is how new reviews of this app will look here.", "ReviewHub",
            app.Store == Stores.GooglePlay ? string.Empty : app.TerritoryList is [var first, ..] ? first : "USA",
            clock.GetUtcNow(),
            links.Reviews(app.AccountId, app.AppId), app.Store);
        return byChannel[route.ChannelValue].SendAsync(
            new ChannelSend(route, app, [sample], $"test-{Ids.New()}", links.Reviews(app.AccountId, app.AppId)),
                cancellationToken);
    }

    private async Task DeliverOneAsync(
        DeliveryWork work, RouteEntity route, AppEntity app, ReviewEntity review, IDeliveryChannel channel,
            List<Claim> inFlight, CancellationToken cancellationToken)
    {
        var claim = await ledger.TryClaimAsync(work.AppId, work.RouteId, review.ReviewId, work.BatchId,
            cancellationToken);
        if (!Track(route, claim, inFlight))
        {
            return;
        }
        await SendAsync(route, app, [claim.Row!], [review], $"{route.RouteId}_{review.ReviewId}", channel,
            cancellationToken);
    }

    private async Task DeliverDigestAsync(
        DeliveryWork work, RouteEntity route, AppEntity app, IReadOnlyList<ReviewEntity> matching,
            IDeliveryChannel channel, List<Claim> inFlight,
        CancellationToken cancellationToken)
    {
        var claimed = new List<(DeliveryEntity Row, ReviewEntity Review)>();
        foreach (var review in matching)
        {
            var claim = await ledger.TryClaimAsync(work.AppId, work.RouteId, review.ReviewId, work.BatchId,
                cancellationToken);
            if (Track(route, claim, inFlight))
            {
                claimed.Add((claim.Row!, review));
            }
        }
        if (claimed.Count > 0)
        {
            await SendAsync(route, app, claimed.Select(c => c.Row).ToList(), claimed.Select(c => c.Review).ToList(),
                $"{route.RouteId}_{work.BatchId}", channel, cancellationToken);
        }
    }

    private async Task SendAsync(
        RouteEntity route, AppEntity app, IReadOnlyList<DeliveryEntity> claims, IReadOnlyList<ReviewEntity> batch,
            string idempotencyKey,
        IDeliveryChannel channel, CancellationToken cancellationToken)
    {
        var send = new ChannelSend(route, app, batch.Select(r => ReviewNotification.From(r, links)).ToList(),
            idempotencyKey, links.Reviews(app.AccountId, app.AppId));
        string? externalId;
        try
        {
            externalId = await ledger.SendUnderClaimsAsync(claims, () => channel.SendAsync(send, cancellationToken));
        }
        catch (Exception ex)
        {
            metrics.Delivered(route.Channel, ReviewHubMetrics.DeliveryOutcomes.Failed, claims.Count);
            logger.LogWarning("Sending {Count} reviews to route {RouteId} ({Channel}) failed: {Error}", batch.Count,
                route.RouteId, route.Channel, ex.Message);
            throw;
        }
        metrics.Delivered(route.Channel, ReviewHubMetrics.DeliveryOutcomes.Delivered, claims.Count);
        logger.LogInformation("Delivered {Count} reviews of app {AppId} to route {RouteId} ({Channel}) as {ExternalId}",
            claims.Count, route.AppId, route.RouteId, route.Channel, externalId);
    }

    /// <summary>True when the claim is ours to send; in-flight claims are collected for a later look, delivered ones
    /// skipped.</summary>
    private bool Track(RouteEntity route, Claim claim, List<Claim> inFlight)
    {
        if (claim.Outcome == ClaimOutcome.Claimed)
        {
            return true;
        }
        metrics.Delivered(route.Channel, ReviewHubMetrics.DeliveryOutcomes.Skipped);
        if (claim.Outcome == ClaimOutcome.InFlight)
        {
            inFlight.Add(claim);
        }
        return false;
    }

    private Task DeferAsync(DeliveryWork work, IReadOnlyList<string> reviewIds, TimeSpan delay,
        CancellationToken cancellationToken) =>
        queue.SendAsync(DeliveryQueues.Deliveries, work with { ReviewIds = reviewIds, Deferrals = work.Deferrals + 1 },
            outbound.Value.DeferralFor(delay), cancellationToken);
}
