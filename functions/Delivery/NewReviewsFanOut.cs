using Microsoft.Extensions.Logging;
using ReviewHub.Apps;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>
/// Turns a new-reviews batch into one unit of delivery work per enabled route whose filters match some of its
/// reviews. A backfill, a removed app or an app without active routes sends nothing.
/// </summary>
internal sealed class NewReviewsFanOut(
    RouteStore routes, AppStore apps, ReviewReader reviews, IMessageQueue queue, ILogger<NewReviewsFanOut> logger)
{
    public async Task FanOutAsync(NewReviewsBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Backfill)
        {
            // A first import of an app's history is shown on the Reviews page; announcing years of old reviews would
            // be noise.
            logger.LogInformation("Batch {BatchId} of app {AppId} is a backfill of {Count} reviews: not notified",
                batch.BatchId, batch.AppId, batch.ReviewIds.Count);
            return;
        }
        if (await apps.GetAsync(batch.AccountId, batch.AppId, cancellationToken) is null)
        {
            return;
        }
        var active = (await routes.ListAsync(batch.AppId, cancellationToken))
            .Where(r => r.Enabled && !r.IsBroken && r.AccountId == batch.AccountId).ToList();
        if (active.Count == 0)
        {
            return;
        }
        var rows = (await reviews.GetAsync(batch.AppId, batch.ReviewIds, cancellationToken))
            .Where(r => !r.Backfilled).ToList();
        foreach (var route in active)
        {
            var matching = rows.Where(r => route.Matches(r.Rating, r.Territory)).Select(r => r.ReviewId).ToList();
            if (matching.Count > 0)
            {
                // Sending twice (a redelivered batch) is harmless: the ledger lets each (review, route) out once.
                await queue.SendAsync(DeliveryQueues.Deliveries,
                    new DeliveryWork(batch.AccountId, batch.AppId, route.RouteId, batch.BatchId, matching),
                    cancellationToken: cancellationToken);
            }
        }
        logger.LogInformation("Batch {BatchId} of app {AppId}: {Count} reviews fanned out to {Routes} routes",
            batch.BatchId, batch.AppId, rows.Count, active.Count);
    }
}
