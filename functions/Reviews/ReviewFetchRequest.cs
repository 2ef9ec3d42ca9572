namespace ReviewHub.Reviews;

/// <summary>
/// Queue message (queue <c>review-fetches</c>): fetch one app's new reviews. The timer sends it with <see
/// cref="Attempt"/> 0; a failed fetch re-sends it with the next attempt and a backoff delay, and after the budget it
/// lands in
/// <c>review-fetches-poison</c> with <see cref="LastError"/>, ready to replay. The poison copy has <see
/// cref="Attempt"/> reset to 0, so a replay starts a fresh retry budget (the attempts it took are in the log). A rate
/// limit with a Retry-After re-sends it after that wait with <see cref="Deferrals"/> + 1 instead of spending an
/// attempt, up to
/// <c>Reviews__MaxDeferrals</c>.
/// </summary>
internal sealed record ReviewFetchRequest(
    string AccountId, string AppId, int Attempt = 0, string? LastError = null, int Deferrals = 0);

/// <summary>A developer response as App Store Connect reports it.</summary>
internal sealed record FetchedResponse(string Id, string? Body, string? State, DateTimeOffset? LastModified);

/// <summary>
/// A review read from any source, normalised. <paramref name="UserModifiedAt"/>: Google Play's
/// <c>userComment.lastModified</c> (an edit moves it; it is also <paramref name="CreatedAt"/> when the review is first
/// read, since Play reports no creation date); null for Apple's sources, which report no edits.
/// </summary>
internal sealed record FetchedReview(
    string Id, int Rating, string? Title, string? Body, string? ReviewerNickname, string Territory,
    DateTimeOffset CreatedAt,
    FetchedResponse? Response, DateTimeOffset? UserModifiedAt = null);

/// <summary>
/// A fetch that could not complete. <see cref="Retryable"/> failures (429, 5xx, timeouts, malformed bodies) go back to
/// the queue with a backoff; the others (revoked key, missing role, unsigned agreements) go straight to the poison
/// queue.
/// </summary>
/// <param name="budgetSpent">The source's budget for the hour is spent (a key's <c>X-Rate-Limit</c> at 0, a Play app's
/// hourly quota): retrying sooner than <c>Reviews__BudgetWaitDelay</c> only burns attempts.</param>
internal sealed class ReviewFetchException(
    string message, bool retryable, TimeSpan? retryAfter = null, Exception? inner = null, bool budgetSpent = false)
    : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;

    public bool BudgetSpent { get; } = budgetSpent;

    /// <summary>The least wait before retrying (e.g. the key's hourly budget is spent); null: the usual
    /// backoff.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>What a fetch did, for logs, tests and the benchmark.</summary>
internal enum FetchOutcomeKind
{
    Completed,
    Deferred,
    Retrying,
    Poisoned,
    Skipped,
    /// <summary>The app's connection is degraded: no call was made (or the one made was refused); nothing is
    /// retried.</summary>
    Paused,
}

internal sealed record FetchOutcome(FetchOutcomeKind Kind, string Source, int Requests, int NewReviews, string? Error =
    null);
