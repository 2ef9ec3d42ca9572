using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Paging;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// Fetches one app's new reviews: from the App Store Connect API when the app has an active integration, otherwise from
/// the public feed of each of its territories. Newest first, stopping at the watermark (one request when nothing is
/// new); pages are saved as they arrive, handed on to delivery, and the watermark moves only after all of that
/// succeeded. A failure loses nothing: the message comes back with a backoff, and lands in the poison queue after the
/// budget.
/// </summary>
public sealed class ReviewFetcher(
    FetchScheduler scheduler,
    ReviewStore store,
    AppStore apps,
    IntegrationStore integrations,
    IntegrationKeyRefusals keyRefusals,
    AppStoreConnectCredentialStore credentials,
    AppStoreConnectReviewSource api,
    AppStoreFeedClient feed,
    ApiKeyBudgets budgets,
    IMessageQueue queue,
    ReviewHubMetrics metrics,
    IOptions<ReviewsOptions> options,
    IOptions<OutboundHttpOptions> outbound,
    TimeProvider clock,
    ILogger<ReviewFetcher> logger)
{
    /// <summary>A backfill re-enqueues itself after this many pages, to stay far inside the function timeout.</summary>
    private const int MaxBackfillPagesPerRun = 100;

    /// <summary>
    /// A backfill whose saved cursor App Store Connect refuses starts again from the newest page; more restarts than
    /// this (cursors that keep expiring before the walk gets past them) stop it as a loop.
    /// </summary>
    public const int MaxBackfillRestarts = 3;

    /// <summary>The longest backoff between two attempts of a failing fetch.</summary>
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>The <c>outcome</c> of a fetch that threw something other than a <see cref="ReviewFetchException"/> (a
    /// bug, storage down).</summary>
    public const string FetchErrorOutcome = "Error";

    private ReviewsOptions Options => options.Value;

    public async Task<FetchOutcome> FetchAsync(ReviewFetchRequest request, CancellationToken cancellationToken)
    {
        var app = await apps.GetAsync(request.AccountId, request.AppId, cancellationToken);
        if (app is null)
        {
            logger.LogInformation("Skipped review fetch of {AccountId}/{AppId}: the app was removed", request.AccountId,
                request.AppId);
            return new FetchOutcome(FetchOutcomeKind.Skipped, string.Empty, 0, 0);
        }
        var schedule = await scheduler.GetAsync(app.AccountId, app.AppId, cancellationToken);
        if (schedule is null)
        {
            // Registered before its schedule could be written: repair it.
            await scheduler.CreateAsync(app.AccountId, app.AppId, cancellationToken);
            schedule = (await scheduler.GetAsync(app.AccountId, app.AppId, cancellationToken))!;
        }
        var integration = await integrations.GetAsync(app.AccountId, app.AppId, cancellationToken);
        var credentialReference = integration is { IsActive: true, CredentialReference: { Length: > 0 } reference }
            ? reference : null;
        var source = credentialReference is null ? ReviewSources.Feed : ReviewSources.AppStoreConnect;
        var started = clock.GetTimestamp();
        var outcomeName = FetchErrorOutcome;
        try
        {
            var outcome = await FetchFromAsync(request, app, schedule, source, integration, credentialReference,
                cancellationToken);
            outcomeName = outcome.Kind.ToString();
            return outcome;
        }
        finally
        {
            metrics.FetchCompleted(clock.GetElapsedTime(started), source, outcomeName);
        }
    }

    private async Task<FetchOutcome> FetchFromAsync(
        ReviewFetchRequest request, AppEntity app, FetchScheduleEntity schedule, string source,
        IntegrationEntity? integration, string? credentialReference, CancellationToken cancellationToken)
    {
        if (integration is { IsDegraded: true } && credentialReference is not null)
        {
            return await PauseAsync(app, integration.DegradedReason!, cancellationToken);
        }
        try
        {
            var outcome = credentialReference is null
                ? await FetchFromFeedAsync(app, schedule, cancellationToken)
                : await FetchFromApiAsync(request, app, schedule, credentialReference, cancellationToken);
            if (credentialReference is not null && !await StillConnectedAsync(integration!, cancellationToken))
            {
                // Disconnected while this fetch ran with the key: what it saved stays, the feed schedule is restored.
                await scheduler.FallBackToFeedAsync(app.AccountId, app.AppId, cancellationToken);
            }
            else if (credentialReference is not null && outcome.Requests > 0)
            {
                await keyRefusals.AcceptedAsync(integration!, cancellationToken); // App Store Connect took the key
            }
            logger.LogInformation(
                "Review fetch of {AccountId}/{AppId} from {Source}: {Outcome}, {Requests} requests, {NewReviews} new " +
                    "reviews",
                app.AccountId, app.AppId, source, outcome.Kind, outcome.Requests, outcome.NewReviews);
            return outcome;
        }
        catch (ReviewFetchException ex)
        {
            if (credentialReference is not null && !await StillConnectedAsync(integration!, cancellationToken))
            {
                // Disconnected while this fetch ran (its key may be gone from the vault): not a failure to retry.
                await scheduler.FallBackToFeedAsync(app.AccountId, app.AppId, cancellationToken);
                logger.LogInformation("Review fetch of {AccountId}/{AppId} ended: the integration was disconnected",
                    app.AccountId, app.AppId);
                return new FetchOutcome(FetchOutcomeKind.Skipped, source, 0, 0, ex.Message);
            }
            if (credentialReference is not null && ex.InnerException is AppStoreConnectException refused
                && await keyRefusals.RecordAsync(integration!, "fetching reviews", refused, cancellationToken))
            {
                return await PauseAsync(app, ex.Message, cancellationToken);
            }
            return await RetryOrPoisonAsync(request, source, credentialReference, ex, cancellationToken);
        }
        catch (PagingLoopException ex)
        {
            // Not a passing fault: every retry would walk the same loop on the key's shared budget. Poisoned at once.
            var stopped = new ReviewFetchException(
                $"{ex.Message} The fetch stopped there so it does not spend the key's hourly budget on pages " +
                "already read.",
                retryable: false, inner: ex);
            return await RetryOrPoisonAsync(request, source, credentialReference, stopped, cancellationToken);
        }
    }

    /// <summary>
    /// The connection is degraded: no call with its key, no retry, no poison. The schedule keeps its slots (each one
    /// pauses again, costing a table read) and shows why; the watermark stays, so the first fetch after the recovery
    /// brings the gap.
    /// </summary>
    private async Task<FetchOutcome> PauseAsync(AppEntity app, string reason, CancellationToken cancellationToken)
    {
        await scheduler.UpdateAsync(app.AccountId, app.AppId, s =>
        {
            if (s.LastError == reason)
            {
                return false;
            }
            s.LastError = reason;
            return true;
        }, cancellationToken);
        logger.LogInformation("Review fetch of {AccountId}/{AppId} paused: {Reason}", app.AccountId, app.AppId, reason);
        return new FetchOutcome(FetchOutcomeKind.Paused, ReviewSources.AppStoreConnect, 0, 0, reason);
    }

    /// <summary>Whether the connection <paramref name="read"/> showed (before the fetch) is still the one in
    /// force.</summary>
    private async Task<bool> StillConnectedAsync(IntegrationEntity read, CancellationToken cancellationToken) =>
        await integrations.GetAsync(read.AccountId, read.AppId, cancellationToken) is { IsActive: true } now
        && now.CredentialReference == read.CredentialReference;

    private async Task<FetchOutcome> FetchFromFeedAsync(AppEntity app, FetchScheduleEntity schedule,
        CancellationToken cancellationToken)
    {
        var announcer = new NewReviewsAnnouncer(queue, app.AccountId, app.AppId, backfill: false);
        // A territory's first import brings up to 500 old reviews: marked as backfill so delivery summarises them.
        var firstImport = new NewReviewsAnnouncer(queue, app.AccountId, app.AppId, backfill: true);
        var newest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var requests = 0;
        foreach (var territory in app.TerritoryList)
        {
            var watermark = schedule.FeedWatermark(territory);
            var walk = new ReviewWalk($"The {territory} feed of app {app.AppId}");
            for (var page = 1; page <= AppStoreFeedClient.MaxPages; page++)
            {
                if (requests++ > 0 && Options.FeedRequestDelay > TimeSpan.Zero)
                {
                    await Task.Delay(Options.FeedRequestDelay, clock, cancellationToken);
                }
                var reviews = (await feed.GetPageAsync(territory, Territories.Storefront(territory), app.StoreAppId,
                    page, cancellationToken)).Reviews;
                if (reviews.Count == 0)
                {
                    break;
                }
                if (!walk.Advanced(reviews))
                {
                    // The feed pages by number, so a page with nothing older is the feed serving an earlier page again
                    // (what it does past its real end): the walk ends here instead of reading it up to 10 times.
                    logger.LogWarning(
                        "The {Territory} feed of {AppId} answered page {Page} with reviews already read: ended there",
                        territory, app.AppId, page);
                    break;
                }
                var rule = watermark is null ? NewReviewRule.FirstImport : NewReviewRule.Incremental(watermark);
                var saved = await store.SaveAsync(
                    app.AccountId, app.AppId, ReviewSources.Feed, reviews, rule, cancellationToken);
                await announcer.AddAsync(saved.New, cancellationToken);
                await firstImport.AddAsync(saved.History, cancellationToken);
                var pageNewest = reviews.Max(r => r.CreatedAt);
                newest[territory] = newest.TryGetValue(territory, out var seen) && seen > pageNewest ? seen
                    : pageNewest;
                if (ReachedWatermark(reviews, watermark) || reviews.Count < AppStoreFeedClient.PageSize)
                {
                    break;
                }
            }
        }
        await announcer.FlushAsync(cancellationToken);
        await firstImport.FlushAsync(cancellationToken);
        await scheduler.UpdateAsync(app.AccountId, app.AppId, s =>
        {
            foreach (var (territory, mark) in newest)
            {
                s.AdvanceFeedWatermark(territory, mark);
            }
            MarkFetched(s, ReviewSources.Feed, announcer.Announced, budget: null);
            return true;
        }, cancellationToken);
        return new FetchOutcome(FetchOutcomeKind.Completed, ReviewSources.Feed, requests, announcer.Announced
            + firstImport.Announced);
    }

    private async Task<FetchOutcome> FetchFromApiAsync(
        ReviewFetchRequest request, AppEntity app, FetchScheduleEntity schedule, string credentialReference,
            CancellationToken cancellationToken)
    {
        AppStoreConnectCredential credential;
        try
        {
            credential = await credentials.LoadAsync(credentialReference, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new ReviewFetchException(ex.Message, retryable: false, inner: ex);
        }
        var backfill = schedule.BackfillPending || schedule.ApiWatermark is null;
        var reserve = backfill ? Options.BackfillBudgetReserve : Options.ApiBudgetReserve;
        if (await budgets.RemainingAsync(credentialReference, Options.BudgetWaitDelay, cancellationToken) is { } left
            && left <= reserve)
        {
            return await DeferAsync(request, ReviewSources.AppStoreConnect, Options.BudgetWaitDelay, 0, 0,
                cancellationToken);
        }
        return backfill
            ? await BackfillAsync(request, app, schedule, credential, credentialReference, cancellationToken)
            : await FetchNewFromApiAsync(request, app, schedule, credential, credentialReference, cancellationToken);
    }

    private async Task<FetchOutcome> FetchNewFromApiAsync(
        ReviewFetchRequest request, AppEntity app, FetchScheduleEntity schedule, AppStoreConnectCredential credential,
            string credentialReference,
        CancellationToken cancellationToken)
    {
        var announcer = new NewReviewsAnnouncer(queue, app.AccountId, app.AppId, backfill: false);
        var watermark = schedule.ApiWatermark;
        DateTimeOffset? newest = null;
        RateLimit? rateLimit = null;
        var requests = 0;
        var walk = new ReviewWalk($"The App Store Connect review fetch of app {app.AppId}");
        string? url = AppStoreConnectReviewSource.FirstPage(app.StoreAppId, Options.ApiPageSize);
        while (url is not null)
        {
            if (rateLimit?.Remaining <= Options.ApiBudgetReserve)
            {
                // Saved pages stay saved; the watermark stays put until the older pages are saved too.
                await announcer.FlushAsync(cancellationToken);
                await budgets.RecordAsync(credentialReference, rateLimit, cancellationToken);
                return await DeferAsync(request, ReviewSources.AppStoreConnect, Options.BudgetWaitDelay, requests,
                    announcer.Announced, cancellationToken);
            }
            walk.Follow(url);
            var page = await api.GetPageAsync(credential, url, cancellationToken);
            requests++;
            rateLimit = page.RateLimit ?? rateLimit;
            var saved = await store.SaveAsync(app.AccountId, app.AppId, ReviewSources.AppStoreConnect, page.Reviews,
                NewReviewRule.Incremental(watermark), cancellationToken);
            await announcer.AddAsync(saved.New, cancellationToken);
            if (page.Reviews.Count > 0)
            {
                var pageNewest = page.Reviews.Max(r => r.CreatedAt);
                newest = newest > pageNewest ? newest : pageNewest;
            }
            url = ReachedWatermark(page.Reviews, watermark) ? null : page.Next;
            if (url is not null)
            {
                walk.Read(page.Reviews);
            }
        }
        await announcer.FlushAsync(cancellationToken);
        await scheduler.UpdateAsync(app.AccountId, app.AppId, s =>
        {
            s.ApiWatermark = Later(s.ApiWatermark, newest);
            MarkFetched(s, ReviewSources.AppStoreConnect, announcer.Announced, rateLimit);
            return true;
        }, cancellationToken);
        await budgets.RecordAsync(credentialReference, rateLimit, cancellationToken);
        return new FetchOutcome(FetchOutcomeKind.Completed, ReviewSources.AppStoreConnect, requests,
            announcer.Announced);
    }

    /// <summary>
    /// The integration's full history, page by page from the saved cursor, within the key's budget. Each page is saved
    /// and handed on before the cursor moves past it: as backfill, except the reviews that arrived after the app's last
    /// feed fetch of their territory, which are new (<see cref="NewReviewRule.ActivationImport"/>); the API watermark
    /// is set once the last page is saved.
    /// </summary>
    private async Task<FetchOutcome> BackfillAsync(
        ReviewFetchRequest request, AppEntity app, FetchScheduleEntity schedule, AppStoreConnectCredential credential,
            string credentialReference,
        CancellationToken cancellationToken)
    {
        var first = AppStoreConnectReviewSource.FirstPage(app.StoreAppId, Options.ApiPageSize);
        var url = schedule.BackfillCursor ?? first;
        var newestAtStart = schedule.BackfillNewest;
        // One walk across every run of this backfill: its progress is saved with the cursor.
        var walk = new ReviewWalk($"The history import (backfill) of app {app.AppId}", schedule.BackfillOldest,
            schedule.BackfillPagesWithoutProgress);
        RateLimit? rateLimit = null;
        int requests = 0, announced = 0;
        while (true)
        {
            if (rateLimit?.Remaining <= Options.BackfillBudgetReserve || requests >= MaxBackfillPagesPerRun)
            {
                await budgets.RecordAsync(credentialReference, rateLimit, cancellationToken);
                var wait = requests >= MaxBackfillPagesPerRun && rateLimit?.Remaining > Options.BackfillBudgetReserve
                    ? TimeSpan.Zero : Options.BudgetWaitDelay;
                return await DeferAsync(request, ReviewSources.AppStoreConnect, wait, requests, announced,
                    cancellationToken);
            }
            walk.Follow(url);
            ApiReviewPage page;
            try
            {
                page = await api.GetPageAsync(credential, url, cancellationToken);
            }
            catch (ReviewFetchException ex) when (url != first
                && ex.InnerException is AppStoreConnectException { Failure: AppStoreConnectFailure.NotFound
                    or AppStoreConnectFailure.Rejected })
            {
                await RestartBackfillAsync(app, cancellationToken);
                walk.Restart(); // keeps the cursors of this run: a restart that comes back to the newest page is a loop
                url = first;
                continue;
            }
            requests++;
            rateLimit = page.RateLimit ?? rateLimit;
            var saved = await store.SaveAsync(app.AccountId, app.AppId, ReviewSources.AppStoreConnect, page.Reviews,
                NewReviewRule.ActivationImport(schedule.FeedWatermark), cancellationToken);
            var history = new NewReviewsAnnouncer(queue, app.AccountId, app.AppId, backfill: true);
            var arrived = new NewReviewsAnnouncer(queue, app.AccountId, app.AppId, backfill: false);
            await history.AddAsync(saved.History, cancellationToken);
            await arrived.AddAsync(saved.New, cancellationToken);
            await history.FlushAsync(cancellationToken);
            await arrived.FlushAsync(cancellationToken);
            announced += history.Announced + arrived.Announced;
            newestAtStart ??= page.Reviews.Count > 0 ? page.Reviews.Max(r => r.CreatedAt) : DateTimeOffset.UnixEpoch;
            var next = page.Next;
            if (next is not null)
            {
                walk.Read(page.Reviews);
            }
            await scheduler.UpdateAsync(app.AccountId, app.AppId, s =>
            {
                MarkFetched(s, ReviewSources.AppStoreConnect, newReviews: 0, rateLimit); // history is not a rate
                s.BackfillPending = next is not null;
                s.BackfillCursor = next;
                s.BackfillNewest = next is null ? null : newestAtStart;
                s.BackfillOldest = next is null ? null : walk.Oldest;
                s.BackfillPagesWithoutProgress = next is null ? 0 : walk.PagesWithoutProgress;
                if (next is null)
                {
                    s.BackfillCompletedAt = clock.GetUtcNow();
                    s.BackfillRestarts = 0;
                    s.ApiWatermark = Later(s.ApiWatermark, newestAtStart);
                }
                return true;
            }, cancellationToken);
            if (next is null)
            {
                break;
            }
            url = next;
        }
        await budgets.RecordAsync(credentialReference, rateLimit, cancellationToken);
        logger.LogInformation("Backfill of {AccountId}/{AppId} completed", app.AccountId, app.AppId);
        return new FetchOutcome(FetchOutcomeKind.Completed, ReviewSources.AppStoreConnect, requests, announced);
    }

    /// <summary>
    /// The saved cursor was refused: the backfill starts again from the newest page (imports are idempotent), counted
    /// so that cursors which keep expiring cannot restart it for ever.
    /// </summary>
    private async Task RestartBackfillAsync(AppEntity app, CancellationToken cancellationToken)
    {
        var restarts = 0;
        await scheduler.UpdateAsync(app.AccountId, app.AppId, s =>
        {
            restarts = ++s.BackfillRestarts;
            s.BackfillCursor = null;
            s.BackfillOldest = null;
            s.BackfillPagesWithoutProgress = 0;
            return true;
        }, cancellationToken);
        if (restarts > MaxBackfillRestarts)
        {
            throw new PagingLoopException(
                $"The history import (backfill) of app {app.AppId} had its saved cursor refused " +
                $"{restarts} times; each time it started again from the newest page.");
        }
        logger.LogWarning(
            "Backfill cursor of {AppId} was refused; restarting from the newest page (restart {Restarts})",
            app.AppId, restarts);
    }

    private async Task<FetchOutcome> DeferAsync(
        ReviewFetchRequest request, string source, TimeSpan delay, int requests, int announced,
            CancellationToken cancellationToken)
    {
        await queue.SendAsync(QueueNames.ReviewFetches, request, delay, cancellationToken);
        logger.LogInformation(
            "Review fetch of {AccountId}/{AppId} continues in {Delay} (App Store Connect key budget or backfill slice)",
            request.AccountId, request.AppId, delay);
        return new FetchOutcome(FetchOutcomeKind.Deferred, source, requests, announced);
    }

    private async Task<FetchOutcome> RetryOrPoisonAsync(
        ReviewFetchRequest request, string source, string? credentialReference, ReviewFetchException ex,
            CancellationToken cancellationToken)
    {
        var apiFailure = ex.InnerException as AppStoreConnectException;
        if (credentialReference is not null && apiFailure?.RateLimit is { } observed)
        {
            await budgets.RecordAsync(credentialReference, observed, cancellationToken);
        }
        await scheduler.UpdateAsync(request.AccountId, request.AppId, s =>
        {
            s.LastError = ex.Message;
            return true;
        }, cancellationToken);

        if (ex is { Retryable: true, RetryAfter: { } retryAfter } && request.Deferrals < Options.MaxDeferrals)
        {
            // The service asked for a longer wait than the client spends in process: come back then, attempt not spent.
            var wait = outbound.Value.DeferralFor(retryAfter);
            await queue.SendAsync(QueueNames.ReviewFetches,
                request with { Deferrals = request.Deferrals + 1, LastError = ex.Message }, wait, cancellationToken);
            logger.LogWarning(
                "Review fetch of {AccountId}/{AppId} from {Source} is rate limited; resumes in {Delay}: {Error}",
                request.AccountId, request.AppId, source, wait, ex.Message);
            return new FetchOutcome(FetchOutcomeKind.Deferred, source, 0, 0, ex.Message);
        }

        var next = request with { Attempt = request.Attempt + 1, LastError = ex.Message };
        var backoff = ex.Retryable ? QueueRetry.NextDelay(next.Attempt, Options.MaxFetchAttempts,
            Options.RetryBaseDelay, MaxRetryDelay) : null;
        if (backoff is not { } delay)
        {
            // Attempts start again in the poison copy: a replay after the outage gets the full retry budget; LastError
            // keeps the context.
            var poisoned = request with { Attempt = 0, LastError = ex.Message, Deferrals = 0 };
            await queue.SendAsync(QueueNames.Poison(QueueNames.ReviewFetches), poisoned,
                cancellationToken: cancellationToken);
            logger.LogError(ex, "Review fetch of {AccountId}/{AppId} from {Source} failed after {Attempts} attempts " +
                "and went to the poison queue: {Error}",
                request.AccountId, request.AppId, source, next.Attempt, ex.Message);
            return new FetchOutcome(FetchOutcomeKind.Poisoned, source, 0, 0, ex.Message);
        }
        if (ex.RetryAfter > delay)
        {
            delay = outbound.Value.DeferralFor(ex.RetryAfter.Value);
        }
        if (apiFailure is { Failure: AppStoreConnectFailure.RateLimited, RateLimit.Remaining: 0 }
            && Options.BudgetWaitDelay > delay)
        {
            delay = Options.BudgetWaitDelay; // the key's hour is spent: retrying sooner only burns attempts
        }
        await queue.SendAsync(QueueNames.ReviewFetches, next, delay, cancellationToken);
        logger.LogWarning("Review fetch of {AccountId}/{AppId} from {Source} failed (attempt {Attempt}), retrying in " +
            "{Delay}: {Error}",
            request.AccountId, request.AppId, source, next.Attempt, delay, ex.Message);
        return new FetchOutcome(FetchOutcomeKind.Retrying, source, 0, 0, ex.Message);
    }

    /// <summary>
    /// Records a successful fetch: its review count and the key's budget set the app's next interval (a change of
    /// source, integration activated or ended, moves the app to the other source's interval).
    /// </summary>
    private void MarkFetched(FetchScheduleEntity schedule, string source, int newReviews, RateLimit? budget)
    {
        schedule.LastFetchedAt = clock.GetUtcNow();
        schedule.LastError = null;
        scheduler.Observe(schedule, source, newReviews, budget);
    }

    private static bool ReachedWatermark(IReadOnlyList<FetchedReview> page, DateTimeOffset? watermark) =>
        watermark is { } mark && page.Any(r => r.CreatedAt <= mark);

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b
        ? a : b;
}
