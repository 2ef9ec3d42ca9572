using System.Security.Cryptography;
using System.Text;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// Newest-first index of an app's reviews (table ReviewTimeline). PartitionKey = appId, RowKey =
/// "{DateTimeOffset.MaxValue ticks − createdAt ticks:D19}|{reviewId}", so a forward range scan is newest first and a
/// date range is a RowKey range. It carries the fields the Reviews page filters on and a fingerprint of the App Store
/// developer response, so a fetch can tell new and changed reviews apart with one range query per page. The same
/// query finds the reviews a page's reviews may be copies of (<see cref="ReviewMatching"/>): the row carries the
/// review's source, the other source's id once both served it (<see cref="AliasId"/>), its <see cref="ContentKey"/>
/// and <see cref="NicknameKey"/>.
/// </summary>
internal sealed class ReviewTimelineEntity : TableRow
{
    public string ReviewId { get; set; } = string.Empty;
    public int Rating { get; set; }
    public string Territory { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public string ResponseVersion { get; set; } = string.Empty;

    /// <summary>The review row's source; null on rows written before the two sources were matched.</summary>
    public string? Source { get; set; }

    /// <summary>The other source's id of the review (App Store Connect's for a matched feed row, or the
    /// feed's).</summary>
    public string? AliasId { get; set; }

    /// <summary><see cref="ReviewMatching.ContentKey(ReviewEntity)"/>; null on rows written before matching
    /// existed.</summary>
    public string? ContentKey { get; set; }

    /// <summary><see cref="ReviewMatching.NicknameKey"/> of the reviewer (the edit rule); null on rows written
    /// before that rule existed.</summary>
    public string? NicknameKey { get; set; }

    public static string TimeKey(DateTimeOffset createdAt) =>
        $"{DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks:D19}";

    public static string KeyFor(DateTimeOffset createdAt, string reviewId) => $"{TimeKey(createdAt)}|{reviewId}";

    /// <summary>Upper bound (exclusive) of every key at <paramref name="createdAt"/>: '~' sorts after '|' and every
    /// id character.</summary>
    public static string AfterKeysAt(DateTimeOffset createdAt) => $"{TimeKey(createdAt)}~";

    /// <summary>The index row of a stored review (keyed by the stored date: a review Apple re-dates keeps one
    /// row).</summary>
    public static ReviewTimelineEntity For(ReviewEntity review) => new()
    {
        PartitionKey = review.AppId,
        RowKey = KeyFor(review.CreatedAt, review.ReviewId),
        ReviewId = review.ReviewId,
        Rating = review.Rating,
        Territory = review.Territory,
        CreatedAt = review.CreatedAt,
        ResponseVersion = VersionOf(ResponseOf(review)),
        Source = review.Source,
        AliasId = review.AliasId,
        ContentKey = ReviewMatching.ContentKey(review),
        NicknameKey = ReviewMatching.NicknameKey(review.ReviewerNickname),
    };

    public static FetchedResponse? ResponseOf(ReviewEntity review) => review.ResponseId is null
        ? null
        : new FetchedResponse(
            review.ResponseId, review.ResponseBody, review.ResponseState, review.ResponseLastModified);

    /// <summary>Changes whenever the response's id, state, date or text changes; empty without a response.</summary>
    public static string VersionOf(FetchedResponse? response) => response is null
        ? string.Empty
        : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{response.Id}\n{response.State}\n{response.LastModified?.UtcTicks}\n{response.Body}")))[..16];
}
