using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Reviews;

/// <summary>A stored review that a review of the other source may be a copy of (from its timeline row, or its review
/// row).</summary>
public sealed record MatchCandidate(
    string ReviewId, string Territory, int Rating, DateTimeOffset CreatedAt, string ContentKey);

/// <summary>
/// When a review from the public feed and one from App Store Connect are the same review. The two sources share no
/// id, so the rule compares what both carry: territory (the feed's storefront), rating, nickname, title and body must
/// be equal (after the normalisation below), and the feed's <c>updated</c> date must be within <see
/// cref="DateTolerance"/> of the API's <c>createdDate</c>. A review is merged only with a candidate that is its only
/// match, and only when no other review of the same page matches that candidate: doubt keeps two rows (a duplicate is
/// visible and harmless; a false merge would hide a customer's review). Measured precision and recall:
/// docs/ingestion.md ("Matching the two sources").
/// </summary>
public static class ReviewMatching
{
    /// <summary>
    /// Both dates are Apple's timestamp of the review to the second, so an unedited review matches exactly; the
    /// tolerance absorbs clock and rounding differences and an edit made soon after posting (the feed's
    /// <c>updated</c> then moves). It also widens every classification range query of <see cref="ReviewStore"/> (a
    /// merged row keeps its first date), so lowering it could hide merged rows from later fetches: change it only
    /// with that in mind.
    /// </summary>
    public static readonly TimeSpan DateTolerance = TimeSpan.FromMinutes(10);

    /// <summary>A fingerprint of the normalised nickname, title and body (16 hex characters of SHA-256).</summary>
    public static string ContentKey(string? nickname, string? title, string? body) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{Normalise(nickname)}\u001f{Normalise(title)}\u001f{Normalise(body)}")))[..16];

    public static string ContentKey(FetchedReview review) =>
        ContentKey(review.ReviewerNickname, review.Title, review.Body);

    public static string ContentKey(ReviewEntity review) =>
        ContentKey(review.ReviewerNickname, review.Title, review.Body);

    /// <summary>
    /// Unicode NFC, every run of white space (line breaks included) as one space, trimmed. Case and punctuation count:
    /// both sources serve the same stored text, and "great app" by another customer is another review.
    /// </summary>
    public static string Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Normalize(NormalizationForm.FormC).Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>
    /// Pairs reviews with candidates where the match is unambiguous on both sides: the review matches exactly one
    /// candidate, and that candidate matches no other review. Returns review id → candidate.
    /// </summary>
    public static Dictionary<string, MatchCandidate> Pair(
        IReadOnlyList<FetchedReview> reviews, IReadOnlyList<MatchCandidate> candidates)
    {
        var byContent = candidates.ToLookup(c => (c.Territory, c.Rating, c.ContentKey));
        var matches = reviews.ToDictionary(
            r => r.Id,
            r => byContent[(r.Territory, r.Rating, ContentKey(r))]
                .Where(c => (c.CreatedAt - r.CreatedAt).Duration() <= DateTolerance).ToList(),
            StringComparer.Ordinal);
        var claims = matches.Values.SelectMany(m => m).GroupBy(c => c.ReviewId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return matches.Where(m => m.Value.Count == 1 && claims[m.Value[0].ReviewId] == 1)
            .ToDictionary(m => m.Key, m => m.Value[0], StringComparer.Ordinal);
    }
}
