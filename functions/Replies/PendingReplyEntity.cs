using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>
/// Index of replies in flight: queued (so a lost message is noticed) or waiting for Apple's moderation. The timer reads
/// only these (and only the due ones), so its cost follows the replies in flight, not all replies. A hint, not the
/// truth: the tracker re-reads the reply and drops rows whose reply has settled. PartitionKey = appId, RowKey =
/// reviewId.
/// </summary>
internal sealed class PendingReplyEntity : TableRow
{
    public string AccountId { get; set; } = string.Empty;
    public int Version { get; set; }

    /// <summary><see cref="ReplyStatus.Queued"/> or <see cref="ReplyStatus.PendingPublish"/>: what the entry was
    /// written for.</summary>
    public string Stage { get; set; } = nameof(ReplyStatus.PendingPublish);

    /// <summary>When App Store Connect accepted the version (pending entries only).</summary>
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset NextCheckAt { get; set; }

    [IgnoreDataMember]
    public string AppId => PartitionKey;

    [IgnoreDataMember]
    public string ReviewId => RowKey;
}
