using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Replies;

/// <summary>Where a reply stands, as the SPA shows it (see docs/replies.md).</summary>
public enum ReplyStatus
{
    /// <summary>Accepted by ReviewHub, waiting to be sent (also between retries after a transient failure).</summary>
    Queued,
    /// <summary>A sender is calling App Store Connect right now.</summary>
    Sending,
    /// <summary>App Store Connect accepted the reply; Apple is moderating it before it appears on the App
    /// Store.</summary>
    PendingPublish,
    /// <summary>Visible on the App Store.</summary>
    Published,
    /// <summary>Not sent or not kept: see the failure code and reason. Writing the reply again retries.</summary>
    Failed,
    /// <summary>The reply was removed (from App Store Connect too, if it had reached it).</summary>
    Deleted,
}

/// <summary>What a version of a reply asks for.</summary>
public enum ReplyAction
{
    /// <summary>Create or overwrite the response (App Store Connect's POST replaces an existing one).</summary>
    Publish,
    Delete,
}

/// <summary>Why a reply failed, for the SPA to explain and offer the right next step.</summary>
public enum ReplyFailure
{
    /// <summary>403 FORBIDDEN_ERROR: the integration user's role does not allow replying (needs Admin or Customer
    /// Support).</summary>
    RoleMissing,
    /// <summary>403 FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED: the Account Holder must sign Apple's
    /// agreements.</summary>
    AgreementsMissing,
    /// <summary>400/409/422: Apple rejected the reply's content.</summary>
    Rejected,
    /// <summary>404: the review no longer exists in App Store Connect.</summary>
    ReviewNotFound,
    /// <summary>401: Apple rejected the integration's API key.</summary>
    CredentialRejected,
    /// <summary>The integration's API key is missing from the secret store.</summary>
    CredentialMissing,
    /// <summary>The integration is no longer active, or its kind no longer allows replies.</summary>
    IntegrationInactive,
    /// <summary>429/5xx/timeouts until the retry budget ran out; the message is in the poison queue for operators to
    /// replay.</summary>
    Unavailable,
    /// <summary>The response disappeared from App Store Connect while pending (removed there, or not approved by
    /// Apple).</summary>
    RemovedFromAppStoreConnect,
    /// <summary>
    /// An automatic reply was not sent: someone answered the review in App Store Connect after the rule wrote it.
    /// Automatic replies never overwrite a person's (docs/replies.md, "Never overwriting a person").
    /// </summary>
    AnsweredElsewhere,
}

/// <summary>
/// The reply to one review, as ReviewHub knows it. PartitionKey = appId, RowKey = reviewId (like <see
/// cref="Reviews.ReviewEntity"/>).
/// <see cref="Version"/> counts what users asked for; <see cref="AppliedVersion"/> is the last version App Store
/// Connect accepted. A sender acts only on the newest version, and only once: that makes duplicate and reordered
/// messages harmless.
/// </summary>
public sealed class ReplyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

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

    /// <summary>When ingestion saw the reviewer edit the review after this version was written: the reply may no
    /// longer fit what the review says.</summary>
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

    public bool IsClaimed(DateTimeOffset now, TimeSpan lease) => ClaimedAt is { } at && at + lease > now;
}

/// <summary>What became of one version of a reply (the audit trail).</summary>
public enum ReplyOutcome
{
    Queued,
    /// <summary>A newer version replaced it before it was sent: it never reached App Store Connect.</summary>
    Superseded,
    PendingPublish,
    Published,
    /// <summary>It reached the App Store, then a newer version overwrote or deleted it.</summary>
    Replaced,
    Deleted,
    Failed,
}

/// <summary>One version of a reply: who asked for what, when, and what became of it. PartitionKey = appId, RowKey =
/// "{reviewId}|{version:D10}".</summary>
public sealed class ReplyVersionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = string.Empty;
    public string ReviewId { get; set; } = string.Empty;
    public int Version { get; set; }
    public string Action { get; set; } = nameof(ReplyAction.Publish);
    public string? Body { get; set; }
    public string RequestedBy { get; set; } = string.Empty;
    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>The rule that wrote this version automatically; null for a person's version.</summary>
    public string? RuleId { get; set; }

    /// <summary>
    /// Where the version came from when not the SPA: <c>slack</c>, or <c>draft</c> (an approved draft).
    /// </summary>
    public string? Via { get; set; }
    public string Outcome { get; set; } = nameof(ReplyOutcome.Queued);
    public string? OutcomeReason { get; set; }
    public DateTimeOffset? OutcomeAt { get; set; }

    public static string KeyFor(string reviewId, int version) => $"{reviewId}|{version:D10}";

    /// <summary>The row-key range holding every version of one review's reply.</summary>
    public static (string From, string To) RangeFor(string reviewId) => ($"{reviewId}|", $"{reviewId}}}");
}

/// <summary>
/// Index of replies in flight: queued (so a lost message is noticed) or waiting for Apple's moderation. The timer reads
/// only these (and only the due ones), so its cost follows the replies in flight, not all replies. A hint, not the
/// truth: the tracker re-reads the reply and drops rows whose reply has settled. PartitionKey = appId, RowKey =
/// reviewId.
/// </summary>
public sealed class PendingReplyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

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
