using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Reviews;

/// <summary>Where a review came from.</summary>
public static class ReviewSources
{
    /// <summary>Apple's public customer-reviews RSS/JSON feed (no integration).</summary>
    public const string Feed = "feed";

    /// <summary>The App Store Connect API (active integration).</summary>
    public const string AppStoreConnect = "asc";
}

/// <summary>
/// A customer review, stored once. PartitionKey = appId, RowKey = reviewId (Apple's id for the review, the same in the
/// feed and the API). Ingestion owns the review fields and the App Store developer response it reads from Apple;
/// the replies feature owns the <c>Reply*</c> fields, a denormalised summary of the reply written through ReviewHub.
/// </summary>
public sealed class ReviewEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = string.Empty;
    public int Rating { get; set; }
    public string? Title { get; set; }
    public string? Body { get; set; }
    public string? ReviewerNickname { get; set; }

    /// <summary>ISO 3166 alpha-3 territory code.</summary>
    public string Territory { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
    public string Source { get; set; } = ReviewSources.Feed;
    public DateTimeOffset IngestedAt { get; set; }

    /// <summary>Imported by the first full-history backfill of an integration: shown, but not notified one by one.</summary>
    public bool Backfilled { get; set; }

    /// <summary>The developer response as App Store Connect reports it (id, body, PENDING_PUBLISH / PUBLISHED, last modified).</summary>
    public string? ResponseId { get; set; }
    public string? ResponseBody { get; set; }
    public string? ResponseState { get; set; }
    public DateTimeOffset? ResponseLastModified { get; set; }

    /// <summary>The reply written through ReviewHub (owned by the replies feature): status, body and when it last changed.</summary>
    public string? ReplyStatus { get; set; }
    public string? ReplyBody { get; set; }
    public DateTimeOffset? ReplyUpdatedAt { get; set; }

    [IgnoreDataMember]
    public string AppId => PartitionKey;

    [IgnoreDataMember]
    public string ReviewId => RowKey;
}
