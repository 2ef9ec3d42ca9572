using System.Globalization;

namespace ReviewHub.GooglePlay;

/// <summary>
/// A Play review, normalised from the API's <c>Review</c>: the user's comment (Play joins a title and body with a tab;
/// split here), its rating and last modification (an edit moves it), and the developer's reply when there is one.
/// </summary>
public sealed record PlayReview(
    string ReviewId, string? AuthorName, int StarRating, string? Title, string Body, string? OriginalText,
    DateTimeOffset LastModified, string? ReviewerLanguage, string? AppVersionName, PlayDeveloperReply? Reply)
{
    /// <summary>True when the user changed the review after the reply was written: it may be out of date.</summary>
    public bool EditedAfterReply => Reply is { } reply && reply.LastModified < LastModified;
}

/// <summary>The developer's reply on Play (one per review; replying again overwrites it).</summary>
public sealed record PlayDeveloperReply(string Text, DateTimeOffset LastModified);

/// <summary>A page of <c>reviews.list</c>, newest change first; <see cref="NextPageToken"/> null on the last.</summary>
public sealed record PlayReviewsPage(IReadOnlyList<PlayReview> Reviews, string? NextPageToken);

/// <summary>What <c>reviews.reply</c> applied: the text as Play stored it (HTML tags stripped) and when.</summary>
public sealed record PlayReplyResult(string ReplyText, DateTimeOffset LastEdited);

/// <summary>The API's JSON shapes (discovery document, androidpublisher v3) that <see cref="GooglePlayClient"/> reads.
/// </summary>
internal static class PlayWire
{
    internal sealed record ReviewsListResponse(List<Review>? Reviews, TokenPagination? TokenPagination);

    internal sealed record TokenPagination(string? NextPageToken);

    internal sealed record Review(string? ReviewId, string? AuthorName, List<Comment>? Comments);

    internal sealed record Comment(UserComment? UserComment, DeveloperComment? DeveloperComment);

    internal sealed record UserComment(
        string? Text, string? OriginalText, Timestamp? LastModified, int? StarRating, string? ReviewerLanguage,
        string? AppVersionName);

    internal sealed record DeveloperComment(string? Text, Timestamp? LastModified);

    /// <summary><c>seconds</c> is an int64 carried as a string.</summary>
    internal sealed record Timestamp(string? Seconds, int? Nanos)
    {
        public DateTimeOffset? ToDateTimeOffset() =>
            long.TryParse(Seconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            && Nanos is null or >= 0 and < 1_000_000_000
                ? DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks((Nanos ?? 0) / 100)
                : null;
    }

    internal sealed record ReviewsReplyRequest(string ReplyText);

    internal sealed record ReviewsReplyResponse(ReviewReplyResult? Result);

    internal sealed record ReviewReplyResult(string? ReplyText, Timestamp? LastEdited);

    internal sealed record ErrorEnvelope(ErrorBody? Error);

    internal sealed record ErrorBody(int? Code, string? Message, List<ErrorEntry>? Errors, string? Status);

    internal sealed record ErrorEntry(string? Message, string? Domain, string? Reason);

    /// <summary>The normalised review, or null when the document lacks what the schema promises.</summary>
    public static PlayReview? Normalise(Review review)
    {
        var user = review.Comments?.Select(c => c.UserComment).FirstOrDefault(c => c is not null);
        if (string.IsNullOrEmpty(review.ReviewId) || user is not { StarRating: >= 1 and <= 5 }
            || user.LastModified?.ToDateTimeOffset() is not { } lastModified)
        {
            return null;
        }
        var developer = review.Comments!.Select(c => c.DeveloperComment).LastOrDefault(c => c is not null);
        var reply = developer is { Text: { } text } && developer.LastModified?.ToDateTimeOffset() is { } repliedAt
            ? new PlayDeveloperReply(text, repliedAt)
            : null;
        var parts = (user.Text ?? string.Empty).Split('\t', 2);
        var (title, body) = parts.Length == 2 ? (parts[0], parts[1]) : (null, parts[0]);
        return new PlayReview(review.ReviewId, review.AuthorName, user.StarRating.Value, title, body,
            string.IsNullOrEmpty(user.OriginalText) ? null : user.OriginalText, lastModified, user.ReviewerLanguage,
            user.AppVersionName, reply);
    }
}
