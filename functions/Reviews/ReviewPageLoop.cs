using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// What every review source's page loop does the same way: save a page exactly once (<see cref="ReviewStore"/>: dedupe
/// by id, matching across sources) and hand its new reviews on (<see cref="NewReviewsAnnouncer"/>) before the
/// watermark moves; record a completed fetch on the schedule (watermark, review rate, next interval); defer the fetch
/// through its queue (budget, slices); pause it (a connection that cannot be used now). The loops themselves — how a
/// store pages, where it stops, how it bounds its cursors — stay with each <see cref="IReviewSource"/>.
/// </summary>
internal sealed class ReviewPageLoop(
    FetchScheduler scheduler, ReviewStore store, IMessageQueue queue, TimeProvider clock,
    ILogger<ReviewPageLoop> logger)
{
    public NewReviewsAnnouncer Announcer(ReviewFetchTarget target, bool backfill) =>
        new(queue, target.AccountId, target.AppId, backfill);

    /// <summary>
    /// Saves one page and hands on what it holds: reviews new by <paramref name="rule"/> to <paramref name="arrived"/>,
    /// reviews stored now as history to <paramref name="history"/>.
    /// </summary>
    public async Task<SavedPage> SaveAsync(
        ReviewFetchTarget target, string source, IReadOnlyList<FetchedReview> page, NewReviewRule rule,
        NewReviewsAnnouncer arrived, NewReviewsAnnouncer? history, CancellationToken cancellationToken)
    {
        var saved = await store.SaveAsync(target.AccountId, target.AppId, source, page, rule, cancellationToken);
        await arrived.AddAsync(saved.New, cancellationToken);
        if (history is not null)
        {
            await history.AddAsync(saved.History, cancellationToken);
        }
        return saved;
    }

    /// <summary>
    /// Records a completed fetch after its pages were saved and handed on: <paramref name="advance"/> moves the
    /// source's watermarks, then the review count and the source's budget set the app's next interval.
    /// </summary>
    public Task CompleteAsync(
        ReviewFetchTarget target, string source, int newReviews, RateLimit? budget,
        Action<FetchScheduleEntity> advance, CancellationToken cancellationToken) =>
        scheduler.UpdateAsync(target.AccountId, target.AppId, s =>
        {
            advance(s);
            MarkFetched(s, source, newReviews, budget);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Records a successful fetch (also one slice of a history import): its review count and the key's budget set the
    /// app's next interval (a change of source moves the app to the other source's interval).
    /// </summary>
    public void MarkFetched(FetchScheduleEntity schedule, string source, int newReviews, RateLimit? budget)
    {
        schedule.LastFetchedAt = clock.GetUtcNow();
        schedule.LastError = null;
        scheduler.Observe(schedule, source, newReviews, budget);
    }

    /// <summary>The fetch continues later from where it stands (budget, or the next slice of a history import).
    /// </summary>
    public async Task<FetchOutcome> DeferAsync(
        ReviewFetchTarget target, string source, TimeSpan delay, int requests, int announced,
        CancellationToken cancellationToken)
    {
        await queue.SendAsync(ReviewQueues.ReviewFetches, target.Request, delay, cancellationToken);
        logger.LogInformation(
            "Review fetch of {AccountId}/{AppId} from {Source} continues in {Delay} (budget or history slice)",
            target.AccountId, target.AppId, source, delay);
        return new FetchOutcome(FetchOutcomeKind.Deferred, source, requests, announced);
    }

    /// <summary>
    /// The app's connection cannot be used now (degraded, not granted): no call, no retry, no poison. The schedule
    /// keeps its slots (each one pauses again, costing a table read) and shows why; the watermark stays, so the first
    /// fetch after the recovery brings the gap. <paramref name="source"/> also becomes the schedule's source, so the
    /// app keeps that source's interval while it waits.
    /// </summary>
    public async Task<FetchOutcome> PauseAsync(
        ReviewFetchTarget target, string source, string reason, int requests, CancellationToken cancellationToken)
    {
        await scheduler.UpdateAsync(target.AccountId, target.AppId, s =>
        {
            if (s.LastError == reason && s.Source == source)
            {
                return false;
            }
            s.LastError = reason;
            if (s.Source != source)
            {
                s.Source = source;
                s.IntervalTicks = scheduler.CeilingFor(source).Ticks;
            }
            return true;
        }, cancellationToken);
        logger.LogInformation("Review fetch of {AccountId}/{AppId} paused: {Reason}",
            target.AccountId, target.AppId, reason);
        return new FetchOutcome(FetchOutcomeKind.Paused, source, requests, 0, reason);
    }

    /// <summary>Whether a page (newest first) reaches reviews at or before the watermark: what was read before.
    /// </summary>
    public static bool ReachedWatermark(IReadOnlyList<FetchedReview> page, DateTimeOffset? watermark) =>
        watermark is { } mark && page.Any(r => r.CreatedAt <= mark);

    public static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
