using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Reviews;

/// <summary>
/// Newest-first index of an app's reviews (table ReviewTimeline). PartitionKey = appId,
/// RowKey = "{DateTimeOffset.MaxValue ticks − createdAt ticks:D19}|{reviewId}", so a forward range scan is newest first and
/// a date range is a RowKey range. It carries the fields the Reviews page filters on and a fingerprint of the
/// App Store developer response, so a fetch can tell new and changed reviews apart with one range query per page.
/// </summary>
public sealed class ReviewTimelineEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReviewId { get; set; } = string.Empty;
    public int Rating { get; set; }
    public string Territory { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public string ResponseVersion { get; set; } = string.Empty;

    public static string TimeKey(DateTimeOffset createdAt) => $"{DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks:D19}";

    public static string KeyFor(DateTimeOffset createdAt, string reviewId) => $"{TimeKey(createdAt)}|{reviewId}";

    /// <summary>Upper bound (exclusive) of every key at <paramref name="createdAt"/>: '~' sorts after '|' and every id character.</summary>
    public static string AfterKeysAt(DateTimeOffset createdAt) => $"{TimeKey(createdAt)}~";

    public static ReviewTimelineEntity For(string appId, FetchedReview review) => new()
    {
        PartitionKey = appId,
        RowKey = KeyFor(review.CreatedAt, review.Id),
        ReviewId = review.Id,
        Rating = review.Rating,
        Territory = review.Territory,
        CreatedAt = review.CreatedAt,
        ResponseVersion = VersionOf(review.Response),
    };

    /// <summary>Changes whenever the response's id, state, date or text changes; empty without a response.</summary>
    public static string VersionOf(FetchedResponse? response) => response is null
        ? string.Empty
        : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{response.Id}\n{response.State}\n{response.LastModified?.UtcTicks}\n{response.Body}")))[..16];
}
