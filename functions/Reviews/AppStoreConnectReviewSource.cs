using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Integrations;
using ReviewHub.Paging;

namespace ReviewHub.Reviews;

/// <summary>
/// The App Store Connect API, for apps with an active integration: newest first down to the API watermark (one request
/// when nothing is new), or the whole history page by page after activation (backfill), within the key's hourly budget
/// (<see cref="ApiKeyBudgets"/>). A degraded connection pauses; a key App Store Connect refuses is recorded with the
/// connection and pauses; a disconnect during the fetch puts the feed schedule back.
/// </summary>
internal sealed class AppStoreConnectReviewSource(
    AppStoreConnectReviewPages api,
    AppConnections connections,
    IntegrationKeyRefusals keyRefusals,
    ApiKeyBudgets budgets,
    FetchScheduler scheduler,
    ReviewPageLoop loop,
    IOptions<ReviewsOptions> options,
    TimeProvider clock,
    ILogger<AppStoreConnectReviewSource> logger) : IReviewSource
{
    /// <summary>A backfill re-enqueues itself after this many pages, to stay far inside the function timeout.</summary>
    private const int MaxBackfillPagesPerRun = 100;

    /// <summary>
    /// A backfill whose saved cursor App Store Connect refuses starts again from the newest page; more restarts than
    /// this (cursors that keep expiring before the walk gets past them) stop it as a loop.
    /// </summary>
    public const int MaxBackfillRestarts = 3;

    private ReviewsOptions Options => options.Value;

    public string Name => ReviewSources.AppStoreConnect;

    public bool Reads(ReviewFetchTarget target) => target.Connection?.KeyReference is not null;

    public async Task<FetchOutcome> FetchAsync(ReviewFetchTarget target, CancellationToken cancellationToken)
    {
        var connection = target.Connection!;
        if (connection.IsDegraded)
        {
            return await loop.PauseAsync(target, Name, connection.DegradedReason!, 0, cancellationToken);
        }
        var credentialReference = connection.KeyReference!;
        try
        {
            var outcome = await FetchWithKeyAsync(target, connection, cancellationToken);
            if (!await connections.IsStillInForceAsync(connection, cancellationToken))
            {
                // Disconnected while this fetch ran with the key: what it saved stays, the feed schedule is restored.
                await scheduler.FallBackToFeedAsync(target.AccountId, target.AppId, cancellationToken);
            }
            else if (outcome.Requests > 0)
            {
                await keyRefusals.AcceptedAsync(connection, cancellationToken); // App Store Connect took the key
            }
            return outcome;
        }
        catch (ReviewFetchException ex)
        {
            if (!await connections.IsStillInForceAsync(connection, cancellationToken))
            {
                // Disconnected while this fetch ran (its key may be gone from the vault): not a failure to retry.
                await scheduler.FallBackToFeedAsync(target.AccountId, target.AppId, cancellationToken);
                logger.LogInformation("Review fetch of {AccountId}/{AppId} ended: the integration was disconnected",
                    target.AccountId, target.AppId);
                return new FetchOutcome(FetchOutcomeKind.Skipped, Name, 0, 0, ex.Message);
            }
            if (ex.InnerException is AppStoreConnectException refused
                && await keyRefusals.RecordAsync(connection, "fetching reviews", refused, cancellationToken))
            {
                return await loop.PauseAsync(target, Name, ex.Message, 0, cancellationToken);
            }
            if (ex.InnerException is AppStoreConnectException { RateLimit: { } observed })
            {
                await budgets.RecordAsync(credentialReference, observed, cancellationToken);
            }
            throw;
        }
    }

    private async Task<FetchOutcome> FetchWithKeyAsync(
        ReviewFetchTarget target, AppConnection connection, CancellationToken cancellationToken)
    {
        var credentialReference = connection.KeyReference!;
        AppStoreConnectCredential credential;
        try
        {
            credential = await connections.LoadKeyAsync(connection, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new ReviewFetchException(ex.Message, retryable: false, inner: ex);
        }
        var schedule = target.Schedule;
        var backfill = schedule.BackfillPending || schedule.ApiWatermark is null;
        var reserve = backfill ? Options.BackfillBudgetReserve : Options.ApiBudgetReserve;
        if (await budgets.RemainingAsync(credentialReference, Options.BudgetWaitDelay, cancellationToken) is { } left
            && left <= reserve)
        {
            return await loop.DeferAsync(target, Name, Options.BudgetWaitDelay, 0, 0, cancellationToken);
        }
        var key = new Key(credential, credentialReference);
        return backfill
            ? await BackfillAsync(target, key, cancellationToken)
            : await FetchNewAsync(target, key, cancellationToken);
    }

    private sealed record Key(AppStoreConnectCredential Credential, string Reference);

    private async Task<FetchOutcome> FetchNewAsync(
        ReviewFetchTarget target, Key key, CancellationToken cancellationToken)
    {
        var announcer = loop.Announcer(target, backfill: false);
        var watermark = target.Schedule.ApiWatermark;
        var rule = NewReviewRule.AfterProbes(watermark, target.Schedule.ProbeWatermark);
        var arrivedIn = new List<string>(); // territories of the reviews newer than the watermark: the probe's choice
        DateTimeOffset? newest = null;
        RateLimit? rateLimit = null;
        var requests = 0;
        var walk = new ReviewWalk($"The App Store Connect review fetch of app {target.AppId}");
        string? url = AppStoreConnectReviewPages.FirstPage(target.App.StoreAppId, Options.ApiPageSize);
        while (url is not null)
        {
            if (rateLimit?.Remaining <= Options.ApiBudgetReserve)
            {
                // Saved pages stay saved; the watermark stays put until the older pages are saved too.
                await announcer.FlushAsync(cancellationToken);
                await budgets.RecordAsync(key.Reference, rateLimit, cancellationToken);
                return await loop.DeferAsync(target, Name, Options.BudgetWaitDelay, requests, announcer.Announced,
                    cancellationToken);
            }
            walk.Follow(url);
            var page = await api.GetPageAsync(key.Credential, url, cancellationToken);
            requests++;
            rateLimit = page.RateLimit ?? rateLimit;
            await loop.SaveAsync(target, Name, page.Reviews, rule, announcer, null, cancellationToken);
            if (page.Reviews.Count > 0)
            {
                newest = ReviewPageLoop.Later(newest, page.Reviews.Max(r => r.CreatedAt));
                arrivedIn.AddRange(page.Reviews.Where(r => r.CreatedAt > watermark).Select(r => r.Territory));
            }
            url = ReviewPageLoop.ReachedWatermark(page.Reviews, watermark) ? null : page.Next;
            if (url is not null)
            {
                walk.Read(page.Reviews);
            }
        }
        await announcer.FlushAsync(cancellationToken);
        await loop.CompleteAsync(target, Name, announcer.Announced, rateLimit,
            s =>
            {
                s.ApiWatermark = ReviewPageLoop.Later(s.ApiWatermark, newest);
                s.ApiFetchedAt = clock.GetUtcNow();
                s.CountTerritoryReviews(arrivedIn);
            }, cancellationToken);
        await budgets.RecordAsync(key.Reference, rateLimit, cancellationToken);
        return new FetchOutcome(FetchOutcomeKind.Completed, Name, requests, announcer.Announced);
    }

    /// <summary>
    /// The integration's full history, page by page from the saved cursor, within the key's budget. Each page is saved
    /// and handed on before the cursor moves past it: as backfill, except the reviews that arrived after the app's last
    /// feed fetch of their territory, which are new (<see cref="NewReviewRule.ActivationImport"/>); the API watermark
    /// is set once the last page is saved.
    /// </summary>
    private async Task<FetchOutcome> BackfillAsync(
        ReviewFetchTarget target, Key key, CancellationToken cancellationToken)
    {
        var schedule = target.Schedule;
        var first = AppStoreConnectReviewPages.FirstPage(target.App.StoreAppId, Options.ApiPageSize);
        var url = schedule.BackfillCursor ?? first;
        var rule = NewReviewRule.ActivationImport(schedule.FeedWatermark);
        // One walk across every run of this backfill: its progress is saved with the cursor.
        var walk = new ReviewWalk($"The history import (backfill) of app {target.AppId}", schedule.BackfillOldest,
            schedule.BackfillPagesWithoutProgress);
        var progress = new BackfillProgress(schedule.BackfillNewest);
        while (true)
        {
            if (progress.RateLimit?.Remaining <= Options.BackfillBudgetReserve
                || progress.Requests >= MaxBackfillPagesPerRun)
            {
                await budgets.RecordAsync(key.Reference, progress.RateLimit, cancellationToken);
                var wait = progress.Requests >= MaxBackfillPagesPerRun
                    && progress.RateLimit?.Remaining > Options.BackfillBudgetReserve
                    ? TimeSpan.Zero
                    : Options.BudgetWaitDelay;
                return await loop.DeferAsync(target, Name, wait, progress.Requests, progress.Announced,
                    cancellationToken);
            }
            walk.Follow(url);
            ApiReviewPage page;
            try
            {
                page = await api.GetPageAsync(key.Credential, url, cancellationToken);
            }
            catch (ReviewFetchException ex) when (url != first && ex.InnerException is AppStoreConnectException
                { Failure: AppStoreConnectFailure.NotFound or AppStoreConnectFailure.Rejected })
            {
                await RestartBackfillAsync(target, cancellationToken);
                walk.Restart(); // keeps the cursors of this run: a restart that comes back to the newest page is a loop
                url = first;
                continue;
            }
            var next = await SaveBackfillPageAsync(target, page, rule, walk, progress, cancellationToken);
            if (next is null)
            {
                break;
            }
            url = next;
        }
        await budgets.RecordAsync(key.Reference, progress.RateLimit, cancellationToken);
        logger.LogInformation("Backfill of {AccountId}/{AppId} completed", target.AccountId, target.AppId);
        return new FetchOutcome(FetchOutcomeKind.Completed, Name, progress.Requests, progress.Announced);
    }

    /// <summary>Where this run of a history import stands.</summary>
    private sealed class BackfillProgress(DateTimeOffset? newestAtStart)
    {
        public DateTimeOffset? NewestAtStart { get; set; } = newestAtStart;
        public RateLimit? RateLimit { get; set; }
        public int Requests { get; set; }
        public int Announced { get; set; }
    }

    /// <summary>Saves and hands on one history page, then saves the cursor past it; returns that cursor (null: done).
    /// </summary>
    private async Task<string?> SaveBackfillPageAsync(
        ReviewFetchTarget target, ApiReviewPage page, NewReviewRule rule, ReviewWalk walk, BackfillProgress progress,
        CancellationToken cancellationToken)
    {
        progress.Requests++;
        progress.RateLimit = page.RateLimit ?? progress.RateLimit;
        var history = loop.Announcer(target, backfill: true);
        var arrived = loop.Announcer(target, backfill: false);
        await loop.SaveAsync(target, Name, page.Reviews, rule, arrived, history, cancellationToken);
        await history.FlushAsync(cancellationToken);
        await arrived.FlushAsync(cancellationToken);
        progress.Announced += history.Announced + arrived.Announced;
        progress.NewestAtStart ??=
            page.Reviews.Count > 0 ? page.Reviews.Max(r => r.CreatedAt) : DateTimeOffset.UnixEpoch;
        var next = page.Next;
        if (next is not null)
        {
            walk.Read(page.Reviews);
        }
        await scheduler.UpdateAsync(target.AccountId, target.AppId, s =>
        {
            loop.MarkFetched(s, Name, newReviews: 0, progress.RateLimit); // history is not a rate
            s.BackfillPending = next is not null;
            s.BackfillCursor = next;
            s.BackfillNewest = next is null ? null : progress.NewestAtStart;
            s.BackfillOldest = next is null ? null : walk.Oldest;
            s.BackfillPagesWithoutProgress = next is null ? 0 : walk.PagesWithoutProgress;
            if (next is null)
            {
                s.BackfillCompletedAt = clock.GetUtcNow();
                s.BackfillRestarts = 0;
                s.ApiWatermark = ReviewPageLoop.Later(s.ApiWatermark, progress.NewestAtStart);
            }
            return true;
        }, cancellationToken);
        return next;
    }

    /// <summary>
    /// The saved cursor was refused: the backfill starts again from the newest page (imports are idempotent), counted
    /// so that cursors which keep expiring cannot restart it for ever.
    /// </summary>
    private async Task RestartBackfillAsync(ReviewFetchTarget target, CancellationToken cancellationToken)
    {
        var restarts = 0;
        await scheduler.UpdateAsync(target.AccountId, target.AppId, s =>
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
                $"The history import (backfill) of app {target.AppId} had its saved cursor refused " +
                $"{restarts} times; each time it started again from the newest page.");
        }
        logger.LogWarning(
            "Backfill cursor of {AppId} was refused; restarting from the newest page (restart {Restarts})",
            target.AppId, restarts);
    }
}
