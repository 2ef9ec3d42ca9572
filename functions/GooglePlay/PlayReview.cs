namespace ReviewHub.GooglePlay;

/// <summary>
/// A Play review, normalised from the API's <c>Review</c>: the user's comment (Play joins a title and body with a tab;
/// split here), its rating and last modification (an edit moves it), and the developer's reply when there is one.
/// </summary>
internal sealed record PlayReview(
    string ReviewId, string? AuthorName, int StarRating, string? Title, string Body, string? OriginalText,
    DateTimeOffset LastModified, string? ReviewerLanguage, string? AppVersionName, PlayDeveloperReply? Reply)
{
    /// <summary>True when the user changed the review after the reply was written: it may be out of date.</summary>
    public bool EditedAfterReply => Reply is { } reply && reply.LastModified < LastModified;
}
