using Microsoft.Azure.Functions.Worker;
using ReviewHub.Reviews;

namespace ReviewHub.Delivery;

/// <summary>Queue side of delivery: a new-reviews batch fans out into one unit of work per matching route, each
/// delivered on its own.</summary>
internal sealed class DeliveryFunctions(
    NewReviewsFanOut fanOut, RouteDeliverer deliverer, ReplyEventDeliverer replyEvents)
{
    [Function(nameof(FanOutNewReviews))]
    public Task FanOutNewReviews(
        [QueueTrigger(ReviewQueues.NewReviews)] NewReviewsBatch batch, CancellationToken cancellationToken) =>
        fanOut.FanOutAsync(batch, cancellationToken);

    [Function(nameof(DeliverToRoute))]
    public Task DeliverToRoute([QueueTrigger(DeliveryQueues.Deliveries)] DeliveryWork work,
        CancellationToken cancellationToken) =>
        deliverer.DeliverAsync(work, cancellationToken);

    /// <summary>A reply event: fanned out to the subscribing routes, then delivered to each (one message per route).
    /// </summary>
    [Function(nameof(DeliverReplyEvents))]
    public Task DeliverReplyEvents(
        [QueueTrigger(DeliveryQueues.ReplyEvents)] ReplyEventMessage message, CancellationToken cancellationToken) =>
        replyEvents.HandleAsync(message, cancellationToken);
}
