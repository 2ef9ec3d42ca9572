using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Reviews;

/// <summary>A stored review that a review of the other source may be a copy of (from its timeline row, or its review
/// row).</summary>
internal sealed record MatchCandidate(
    string ReviewId, string Territory, int Rating, DateTimeOffset CreatedAt, string ContentKey, string NicknameKey);

/// <summary>
/// A review paired with a stored review of the other source. <see cref="Edited"/>: paired by the edit rule (the
/// customer edited the review between the two reads), so the texts differ and App Store Connect's is the current one.
/// </summary>
internal sealed record ReviewMatch(MatchCandidate Candidate, bool Edited);

/// <summary>
/// When a review from the public feed and one from App Store Connect are the same review. The two sources share no
/// id, so the rules compare what both carry. The content rule: territory (the feed's storefront), rating, nickname,
/// title and body are equal (after the normalisation below), and the feed's <c>updated</c> date is within <see
/// cref="DateTolerance"/> of the API's <c>createdDate</c>. The edit rule, for a review edited between the two reads
/// (the feed's copy shows the old text, App Store Connect the new one, and the feed's <c>updated</c> of the old
/// version is the creation date the API keeps): territory and nickname are equal and the dates within <see
/// cref="EditTolerance"/>; it applies only to reviews and stored rows the content rule found nothing for. Either way a
/// review is merged only with a candidate that is its only match, and only when no other review of the same page
/// matches that candidate: doubt keeps two rows (a duplicate is visible and harmless; a false merge would hide a
/// customer's review). Measured precision and recall: docs/ingestion.md ("Matching the two sources").
/// </summary>
internal static class ReviewMatching
{
    /// <summary>
    /// Both dates are Apple's timestamp of the review to the second, so an unedited review matches exactly; the
    /// tolerance absorbs clock and rounding differences and an edit made soon after posting (the feed's
    /// <c>updated</c> then moves). It also widens every classification range query of <see cref="ReviewStore"/> (a
    /// merged row keeps its first date), so lowering it could hide merged rows from later fetches: change it only
    /// with that in mind.
    /// </summary>
    public static readonly TimeSpan DateTolerance = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The edit rule's window. A customer has one review per app and an edit replaces it, so a feed version read before
    /// the edit carries the review's creation date as its <c>updated</c>: the API's <c>createdDate</c>, to the second.
    /// Seconds, not minutes: the text no longer tells the two apart, so only the same nickname at the same instant
    /// does (a look-alike posted minutes apart must not qualify).
    /// </summary>
    public static readonly TimeSpan EditTolerance = TimeSpan.FromSeconds(2);

    /// <summary>A fingerprint of the normalised nickname, title and body (16 hex characters of SHA-256).</summary>
    public static string ContentKey(string? nickname, string? title, string? body) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{Normalise(nickname)}\u001f{Normalise(title)}\u001f{Normalise(body)}")))[..16];

    /// <summary>A fingerprint of the normalised nickname alone (16 hex characters of SHA-256), for the edit
    /// rule.</summary>
    public static string NicknameKey(string? nickname) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(nickname))))[..16];

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
    /// candidate, and that candidate matches no other review. The content rule first; then the edit rule, among the
    /// reviews and candidates the content rule matched nothing for (doubt under the content rule stays doubt).
    /// Returns review id → match.
    /// </summary>
    public static Dictionary<string, ReviewMatch> Pair(
        IReadOnlyList<FetchedReview> reviews, IReadOnlyList<MatchCandidate> candidates)
    {
        var byContent = candidates.ToLookup(c => (c.Territory, c.Rating, c.ContentKey));
        var sameContent = reviews.ToDictionary(
            r => r.Id,
            r => byContent[(r.Territory, r.Rating, ContentKey(r))]
                .Where(c => (c.CreatedAt - r.CreatedAt).Duration() <= DateTolerance).ToList(),
            StringComparer.Ordinal);
        var pairs = Unambiguous(sameContent).ToDictionary(
            m => m.Key, m => new ReviewMatch(m.Value, Edited: false), StringComparer.Ordinal);

        var claimed = sameContent.Values.SelectMany(m => m).Select(c => c.ReviewId).ToHashSet(StringComparer.Ordinal);
        var open = candidates.Where(c => !claimed.Contains(c.ReviewId)).ToLookup(c => (c.Territory, c.NicknameKey));
        var edited = reviews.Where(r => sameContent[r.Id].Count == 0).ToDictionary(
            r => r.Id,
            r => open[(r.Territory, NicknameKey(r.ReviewerNickname))]
                .Where(c => (c.CreatedAt - r.CreatedAt).Duration() <= EditTolerance).ToList(),
            StringComparer.Ordinal);
        foreach (var (reviewId, candidate) in Unambiguous(edited))
        {
            pairs[reviewId] = new ReviewMatch(candidate, Edited: true);
        }
        return pairs;
    }

    /// <summary>The reviews with exactly one candidate that no other review has.</summary>
    private static IEnumerable<KeyValuePair<string, MatchCandidate>> Unambiguous(
        Dictionary<string, List<MatchCandidate>> matches)
    {
        var claims = matches.Values.SelectMany(m => m).GroupBy(c => c.ReviewId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return matches.Where(m => m.Value.Count == 1 && claims[m.Value[0].ReviewId] == 1)
            .Select(m => KeyValuePair.Create(m.Key, m.Value[0]));
    }
}
