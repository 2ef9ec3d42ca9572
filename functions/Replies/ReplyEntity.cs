using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>
/// The reply to one review, as ReviewHub knows it. PartitionKey = appId, RowKey = reviewId (like <see
/// cref="Reviews.ReviewEntity"/>).
/// <see cref="Version"/> counts what users asked for; <see cref="AppliedVersion"/> is the last version App Store
/// Connect accepted. A sender acts only on the newest version, and only once: that makes duplicate and reordered
/// messages harmless.
/// </summary>
internal sealed class ReplyEntity : TableRow
{
    public string AccountId { get; set; } = string.Empty;

    /// <summary>The newest version a user asked for (1, 2, …).</summary>
    public int Version { get; set; }

    /// <summary><see cref="ReplyAction"/> of <see cref="Version"/>.</summary>
    public string Action { get; set; } = nameof(ReplyAction.Publish);

    /// <summary><see cref="ReplyStatus"/> of <see cref="Version"/>.</summary>
    public string Status { get; set; } = nameof(ReplyStatus.Queued);

    /// <summary>The body of the newest version (null once deleted).</summary>
    public string? Body { get; set; }

    public string RequestedBy { get; set; } = string.Empty;
    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>The rule that wrote <see cref="Version"/> automatically; null for a person's version.</summary>
    public string? RuleId { get; set; }

    /// <summary>The last version App Store Connect accepted (0: none yet).</summary>
    public int AppliedVersion { get; set; }

    /// <summary>The App Store Connect response id while a response exists there (from this app or, for deletes, from
    /// ingestion).</summary>
    public string? ResponseId { get; set; }

    /// <summary>When App Store Connect accepted <see cref="AppliedVersion"/>.</summary>
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>Send attempts for <see cref="Version"/>, and when the next one is due after a transient
    /// failure.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>A sender's lease: while it is live no other sender calls App Store Connect for this review, so calls
    /// never overtake each other.</summary>
    public int? ClaimedVersion { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }

    public string? FailureCode { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>Still pending past the moderation window.</summary>
    public bool Overdue { get; set; }
    public DateTimeOffset? OverdueAt { get; set; }

    /// <summary>When the reviewer edited the review (the edit's own date where the store gives one) after this
    /// version was written: the reply may no longer fit what the review says.</summary>
    public DateTimeOffset? OutdatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    [IgnoreDataMember]
    public string AppId => PartitionKey;

    [IgnoreDataMember]
    public string ReviewId => RowKey;

    [IgnoreDataMember]
    public ReplyStatus StatusValue => Enum.Parse<ReplyStatus>(Status);

    [IgnoreDataMember]
    public ReplyAction ActionValue => Enum.Parse<ReplyAction>(Action);

    /// <summary>The reply standing under the review answers an older text (a deleted or failed one stands for
    /// nothing).</summary>
    [IgnoreDataMember]
    public bool IsOutdated => OutdatedAt is not null && ActionValue == ReplyAction.Publish
        && StatusValue is not (ReplyStatus.Failed or ReplyStatus.Deleted);

    public bool IsClaimed(DateTimeOffset now, TimeSpan lease) => ClaimedAt is { } at && at + lease > now;
}
