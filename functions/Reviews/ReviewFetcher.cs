using Microsoft.Extensions.Logging;
using ReviewHub.Apps;
using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Paging;

namespace ReviewHub.Reviews;

/// <summary>
/// Fetches one app's new reviews through the first <see cref="IReviewSource"/> that reads it (App Store Connect for an
/// active integration, Google Play for an Android app, else the public feed). The source pages, saves and hands on
/// through the shared <see cref="ReviewPageLoop"/>; the watermark moves only after all of that succeeded. A failure
/// loses nothing: <see cref="ReviewFetchRetries"/> brings the message back with a backoff, or to the poison queue.
/// </summary>
internal sealed class ReviewFetcher(
    AppStore apps,
    FetchScheduler scheduler,
    AppConnections connections,
    IEnumerable<IReviewSource> sources,
    ReviewFetchRetries retries,
    ReviewHubMetrics metrics,
    TimeProvider clock,
    ILogger<ReviewFetcher> logger)
{
    /// <summary>The <c>outcome</c> of a fetch that threw something other than a <see cref="ReviewFetchException"/>
    /// (a bug, storage down).</summary>
    public const string FetchErrorOutcome = "Error";

    private readonly IReadOnlyList<IReviewSource> sources = sources.ToList();

    public async Task<FetchOutcome> FetchAsync(ReviewFetchRequest request, CancellationToken cancellationToken)
    {
        var app = await apps.GetAsync(request.AccountId, request.AppId, cancellationToken);
        if (app is null)
        {
            logger.LogInformation("Skipped review fetch of {AccountId}/{AppId}: the app was removed",
                request.AccountId, request.AppId);
            return new FetchOutcome(FetchOutcomeKind.Skipped, string.Empty, 0, 0);
        }
        var schedule = await scheduler.GetAsync(app.AccountId, app.AppId, cancellationToken);
        if (schedule is null)
        {
            // Registered before its schedule could be written: repair it.
            await scheduler.CreateAsync(app.AccountId, app.AppId, ReviewSources.InitialFor(app.Store),
                cancellationToken);
            schedule = (await scheduler.GetAsync(app.AccountId, app.AppId, cancellationToken))!;
        }
        var connection = await connections.GetAsync(app.AccountId, app.AppId, cancellationToken);
        var target = new ReviewFetchTarget(request, app, schedule, connection);
        var source = sources.FirstOrDefault(s => s.Reads(target));
        if (source is null)
        {
            return new FetchOutcome(FetchOutcomeKind.Skipped, string.Empty, 0, 0);
        }
        var started = clock.GetTimestamp();
        var outcomeName = FetchErrorOutcome;
        try
        {
            var outcome = await FetchFromAsync(source, target, cancellationToken);
            outcomeName = outcome.Kind.ToString();
            return outcome;
        }
        finally
        {
            metrics.FetchCompleted(clock.GetElapsedTime(started), source.Name, outcomeName);
        }
    }

    private async Task<FetchOutcome> FetchFromAsync(
        IReviewSource source, ReviewFetchTarget target, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await source.FetchAsync(target, cancellationToken);
            logger.LogInformation(
                "Review fetch of {AccountId}/{AppId} from {Source}: {Outcome}, {Requests} requests, " +
                "{NewReviews} new reviews",
                target.AccountId, target.AppId, source.Name, outcome.Kind, outcome.Requests, outcome.NewReviews);
            return outcome;
        }
        catch (ReviewFetchException ex)
        {
            return await retries.RetryOrPoisonAsync(target.Request, source.Name, ex, cancellationToken);
        }
        catch (PagingLoopException ex)
        {
            // Not a passing fault: every retry would walk the same loop on the source's budget. Poisoned at once.
            var stopped = new ReviewFetchException(
                $"{ex.Message} The fetch stopped there so it does not spend the key's hourly budget on pages " +
                "already read.",
                retryable: false, inner: ex);
            return await retries.RetryOrPoisonAsync(target.Request, source.Name, stopped, cancellationToken);
        }
    }
}
