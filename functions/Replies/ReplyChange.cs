namespace ReviewHub.Replies;

/// <summary>
/// A change of a reply after it was written: its status moved (sending, sent, published, failed, deleted by the
/// sender or the moderation tracker), it became overdue, or the reviewer edited the review after it (outdated).
/// </summary>
internal sealed record ReplyChange(ReplyEntity Reply, ReplyStatus Previous, bool BecameOverdue, bool BecameOutdated)
{
    public bool StatusChanged => Reply.StatusValue != Previous;
}
