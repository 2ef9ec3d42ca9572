using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// A customer review, stored once. PartitionKey = appId, RowKey = reviewId: the id of the source that stored it first
/// (the feed's numeric id or App Store Connect's id; the two sources share no id). When the other source later serves
/// the same review (<see cref="ReviewMatching"/>), the row keeps its id, so links already sent and the Deliveries
/// ledger keep pointing at it, and records the other id in <see cref="AscReviewId"/> or <see cref="FeedReviewId"/>.
/// Ingestion owns the review fields and the App Store developer response it reads from Apple; the replies feature
/// owns the <c>Reply*</c> fields, a denormalised summary of the reply written through ReviewHub.
/// </summary>
internal sealed class ReviewEntity : TableRow
{
    public string AccountId { get; set; } = string.Empty;
    public int Rating { get; set; }
    public string? Title { get; set; }
    public string? Body { get; set; }
    public string? ReviewerNickname { get; set; }

    /// <summary>ISO 3166 alpha-3 territory code.</summary>
    public string Territory { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>asc once App Store Connect serves the review (also for a feed row matched with its API copy), else
    /// feed.</summary>
    public string Source { get; set; } = ReviewSources.Feed;

    /// <summary>App Store Connect's id of a review first stored from the feed and then matched with its API
    /// copy.</summary>
    public string? AscReviewId { get; set; }

    /// <summary>The feed's id of a review first stored from App Store Connect and then matched with a feed
    /// copy.</summary>
    public string? FeedReviewId { get; set; }
    public DateTimeOffset IngestedAt { get; set; }

    /// <summary>Imported by the first full-history backfill of an integration: shown, but not notified one by
    /// one.</summary>
    public bool Backfilled { get; set; }

    /// <summary>The developer response as App Store Connect reports it (id, body, PENDING_PUBLISH / PUBLISHED, last
    /// modified).</summary>
    public string? ResponseId { get; set; }
    public string? ResponseBody { get; set; }
    public string? ResponseState { get; set; }
    public DateTimeOffset? ResponseLastModified { get; set; }

    /// <summary>Google Play: when the user last edited the review after ReviewHub first stored it (null: never).
    /// Rating, title and text are the edited ones.</summary>
    public DateTimeOffset? EditedAt { get; set; }

    /// <summary>The user edited the review after its reply was written: the reply may no longer fit. For a reply
    /// written through ReviewHub it mirrors that reply (the replies feature says so through
    /// <see cref="ReviewReplySummary"/>); otherwise it compares the store's response with the edit. Cleared by a newer
    /// reply.</summary>
    public bool ReplyOutdated { get; set; }

    /// <summary>The reply written through ReviewHub (owned by the replies feature): status, body and when it last
    /// changed.</summary>
    public string? ReplyStatus { get; set; }
    public string? ReplyBody { get; set; }
    public DateTimeOffset? ReplyUpdatedAt { get; set; }

    [IgnoreDataMember]
    public string AppId => PartitionKey;

    [IgnoreDataMember]
    public string ReviewId => RowKey;

    /// <summary>The id App Store Connect knows the review by (replies are sent under it); null for a feed-only
    /// review.</summary>
    [IgnoreDataMember]
    public string? AppStoreConnectId => AscReviewId ?? (Source == ReviewSources.AppStoreConnect ? RowKey : null);

    /// <summary>The id of the same review in the other source, once both served it.</summary>
    [IgnoreDataMember]
    public string? AliasId => AscReviewId ?? FeedReviewId;
}
