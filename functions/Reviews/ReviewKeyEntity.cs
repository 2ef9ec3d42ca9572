using System.Globalization;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// Another key a stored review is found by (table ReviewKeys, PartitionKey = appId): the other source's id of a matched
/// review (<see cref="AliasKey"/>), so a reply addressed to the App Store Connect id of a review first stored from the
/// public feed finds its row; and its reviewer in a territory (<see cref="ReviewerKey"/>), so the feed probe can tell
/// an edited review, which the feed lists again under the edit's date, from a new one. <see cref="ReviewId"/> is the
/// stored review's id (its row key in Reviews).
/// </summary>
internal sealed class ReviewKeyEntity : TableRow
{
    public string ReviewId { get; set; } = string.Empty;

    /// <summary>On a reviewer key: the source that stored the review (matching reads the review only when it is the
    /// other one); null on keys written before.</summary>
    public string? Source { get; set; }

    /// <summary>The row key of the other source's id of a review.</summary>
    public static string AliasKey(string otherId) => $"id|{otherId}";

    /// <summary>
    /// The row key of a reviewer in a territory: App Store nicknames are unique and a customer has one review per app
    /// and storefront (an edit replaces it), so this names at most one review.
    /// </summary>
    public static string ReviewerKey(string territory, string? nickname) =>
        string.Create(CultureInfo.InvariantCulture, $"who|{territory}|{ReviewMatching.NicknameKey(nickname)}");
}
