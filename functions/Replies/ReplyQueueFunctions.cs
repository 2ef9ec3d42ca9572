using Microsoft.Azure.Functions.Worker;

namespace ReviewHub.Replies;

/// <summary>The reply sender (queue) and the moderation tracker (timer): thin shells over <see cref="ReplySender"/> and
/// <see cref="ReplyModerationTracker"/>.</summary>
internal sealed class ReplyQueueFunctions(ReplySender sender, ReplyModerationTracker tracker)
{
    [Function(nameof(SendReply))]
    public Task SendReply([QueueTrigger(ReplyQueues.ReplySends)] ReplySendMessage message,
        CancellationToken cancellationToken) =>
        sender.SendAsync(message, cancellationToken);

    /// <summary>Every 5 minutes; each pending reply is re-read only when due
    /// (Replies__ModerationCheckInterval).</summary>
    [Function(nameof(TrackReplyModeration))]
    public Task TrackReplyModeration([TimerTrigger("0 */5 * * * *")] TimerInfo timer,
        CancellationToken cancellationToken) =>
        tracker.CheckAsync(cancellationToken);
}
