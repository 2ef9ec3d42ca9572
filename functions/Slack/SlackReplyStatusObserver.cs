using ReviewHub.Replies;
using ReviewHub.Storage;

namespace ReviewHub.Slack;

/// <summary>Queues a message update when a reply is sent, published, fails, is deleted, becomes overdue or
/// outdated.</summary>
internal sealed class SlackReplyStatusObserver(IMessageQueue queue) : IReplyStatusObserver
{
    public Task ChangedAsync(ReplyChange change, CancellationToken cancellationToken) =>
        change.BecameOverdue || change.BecameOutdated || (change.StatusChanged && change.Reply.StatusValue
            is ReplyStatus.PendingPublish or ReplyStatus.Published or ReplyStatus.Failed or ReplyStatus.Deleted)
            ? queue.SendAsync(SlackQueues.SlackMessageUpdates,
                new SlackMessageUpdate(change.Reply.AccountId, change.Reply.AppId, change.Reply.ReviewId),
                    cancellationToken: cancellationToken)
            : Task.CompletedTask;
}
