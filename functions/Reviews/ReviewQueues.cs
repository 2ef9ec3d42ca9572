namespace ReviewHub.Reviews;

/// <summary>The queues the Reviews feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class ReviewQueues
{
    /// <summary>Carries <see cref="NewReviewsBatch"/> from ingestion to delivery (and the reply rules).</summary>
    public const string NewReviews = "new-reviews";

    /// <summary>Carries <see cref="ReviewFetchRequest"/> from the schedule timer to the fetcher.</summary>
    public const string ReviewFetches = "review-fetches";

    public static readonly IReadOnlyList<string> All = [NewReviews, ReviewFetches];
}
