using ReviewHub.Replies;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>Queues each event of a reply change for fan-out (kept out of the reply's own write path).</summary>
internal sealed class ReplyEventObserver(IMessageQueue queue, TimeProvider clock) : IReplyStatusObserver
{
    public async Task ChangedAsync(ReplyChange change, CancellationToken cancellationToken)
    {
        var reply = change.Reply;
        foreach (var kind in ReplyEventTypes.Of(change))
        {
            await queue.SendAsync(DeliveryQueues.ReplyEvents,
                new ReplyEventMessage(reply.AccountId, reply.AppId, reply.ReviewId, ReplyEventTypes.Name(kind),
                    clock.GetUtcNow(),
                    ReplySnapshot.From(reply)), cancellationToken: cancellationToken);
        }
    }
}
