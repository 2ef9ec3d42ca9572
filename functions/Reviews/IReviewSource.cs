using ReviewHub.Apps;
using ReviewHub.Integrations;

namespace ReviewHub.Reviews;

/// <summary>
/// What one fetch is about: the queue message (deferrals re-send it), the app, its schedule as read at the start (the
/// watermarks) and its App Store Connect connection (null when it has none).
/// </summary>
internal sealed record ReviewFetchTarget(
    ReviewFetchRequest Request, AppEntity App, FetchScheduleEntity Schedule, AppConnection? Connection)
{
    public string AccountId => App.AccountId;
    public string AppId => App.AppId;
}

/// <summary>
/// One store's way of reading an app's reviews: the public App Store feed, the App Store Connect API, Google Play.
/// <see cref="ReviewFetcher"/> asks the registered sources in order and lets the first that <see cref="Reads"/> the
/// app fetch it; the source pages through its store and uses the shared <see cref="ReviewPageLoop"/> for what every
/// source does the same way (saving exactly once with dedupe and matching, announcing new reviews, watermarks and the
/// schedule, deferral and pausing). A failure is thrown as <see cref="ReviewFetchException"/> (retried or poisoned by
/// the fetcher) or <see cref="Paging.PagingLoopException"/> (poisoned at once).
/// </summary>
internal interface IReviewSource
{
    /// <summary>The source's name as stored on reviews and schedules and in metrics (<see cref="ReviewSources"/>).
    /// </summary>
    string Name { get; }

    /// <summary>Whether this source reads the app now (no I/O: from the app, its schedule and its connection).
    /// </summary>
    bool Reads(ReviewFetchTarget target);

    Task<FetchOutcome> FetchAsync(ReviewFetchTarget target, CancellationToken cancellationToken);
}
