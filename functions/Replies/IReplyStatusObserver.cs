namespace ReviewHub.Replies;

/// <summary>
/// Told of every <see cref="ReplyChange"/>, after the row and the review's summary are saved. Observers hand work to
/// a queue.
/// </summary>
internal interface IReplyStatusObserver
{
    Task ChangedAsync(ReplyChange change, CancellationToken cancellationToken);
}
