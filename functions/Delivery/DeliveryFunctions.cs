using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Apps;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>Queue side of delivery: a new-reviews batch fans out into one unit of work per matching route, each
/// delivered on its own.</summary>
public sealed class DeliveryFunctions(
    RouteStore routes, AppStore apps, ReviewReader reviews, RouteDeliverer deliverer, IMessageQueue queue,
        ILogger<DeliveryFunctions> logger)
{
    [Function(nameof(FanOutNewReviews))]
    public async Task FanOutNewReviews([QueueTrigger(QueueNames.NewReviews)] NewReviewsBatch batch,
        CancellationToken cancellationToken)
    {
        if (batch.Backfill)
        {
            // A first import of an app's history is shown on the Reviews page; announcing years of old reviews would be
            // noise.
            logger.LogInformation("Batch {BatchId} of app {AppId} is a backfill of {Count} reviews: not notified",
                batch.BatchId, batch.AppId, batch.ReviewIds.Count);
            return;
        }
        if (await apps.GetAsync(batch.AccountId, batch.AppId, cancellationToken) is null)
        {
            return;
        }
        var active = (await routes.ListAsync(batch.AppId, cancellationToken)).Where(r => r.Enabled && !r.IsBroken
            && r.AccountId == batch.AccountId).ToList();
        if (active.Count == 0)
        {
            return;
        }
        var rows = (await reviews.GetAsync(batch.AppId, batch.ReviewIds, cancellationToken)).Where(r => !r.Backfilled)
            .ToList();
        foreach (var route in active)
        {
            var matching = rows.Where(r => route.Matches(r.Rating, r.Territory)).Select(r => r.ReviewId).ToList();
            if (matching.Count > 0)
            {
                // Sending twice (a redelivered batch) is harmless: the ledger lets each (review, route) out once.
                await queue.SendAsync(QueueNames.Deliveries, new DeliveryWork(batch.AccountId, batch.AppId,
                    route.RouteId, batch.BatchId, matching),
                    cancellationToken: cancellationToken);
            }
        }
        logger.LogInformation("Batch {BatchId} of app {AppId}: {Count} reviews fanned out to {Routes} routes",
            batch.BatchId, batch.AppId, rows.Count, active.Count);
    }

    [Function(nameof(DeliverToRoute))]
    public Task DeliverToRoute([QueueTrigger(QueueNames.Deliveries)] DeliveryWork work,
        CancellationToken cancellationToken) =>
        deliverer.DeliverAsync(work, cancellationToken);
}
