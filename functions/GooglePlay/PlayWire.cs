using System.Globalization;

namespace ReviewHub.GooglePlay;

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
