using Microsoft.Extensions.Logging;
using ReviewHub.Apps;
using ReviewHub.Integrations;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// Ingestion's part of an app's life: a schedule when the app is registered, hourly API fetching with a full-history
/// backfill when its integration becomes active, and no trace of its reviews or schedule once it is removed (a key's
/// budget goes when its connection is disconnected: the key serves the team's other apps until then).
/// </summary>
internal sealed class ReviewLifecycle(
    FetchScheduler scheduler, ReviewStore store, ApiKeyBudgets budgets, AppStore apps, IMessageQueue queue,
    ILogger<ReviewLifecycle> logger)
    : IAppRegisteredListener, IIntegrationActivationListener, IIntegrationConnectionListener, IAppDataPurger
{
    public Task OnRegisteredAsync(AppEntity app, CancellationToken cancellationToken) =>
        scheduler.CreateAsync(app.AccountId, app.AppId, ReviewSources.InitialFor(app.Store), cancellationToken);

    public string ActivationStep => "reviews";

    /// <summary>
    /// Queues the history import, then switches the schedule to hourly App Store Connect fetching. The switch is
    /// written last, so it marks both done: a retry after any failure (the queue or the schedule write) finds the
    /// schedule still on the feed and does both again; at worst one fetch is queued twice, which the fetch handler
    /// tolerates. The fetch needs no switch first: it reads the (already active) integration and imports the history
    /// when the app has no API watermark yet.
    /// </summary>
    public async Task OnActivatedAsync(AppConnection connection, CancellationToken cancellationToken)
    {
        if (await apps.GetAsync(connection.AccountId, connection.AppId, cancellationToken) is null)
        {
            return; // removed while its setup ran: writing a schedule now would outlive the purge
        }
        var schedule = await scheduler.GetAsync(connection.AccountId, connection.AppId, cancellationToken);
        if (schedule is null)
        {
            await scheduler.CreateAsync(connection.AccountId, connection.AppId, cancellationToken);
        }
        else if (schedule.Source == ReviewSources.AppStoreConnect)
        {
            return; // a repeated activation or an upgrade: the import was queued before the switch
        }
        // The history import starts now rather than at the app's next hourly slot.
        var import = new ReviewFetchRequest(connection.AccountId, connection.AppId);
        await queue.SendAsync(ReviewQueues.ReviewFetches, import, cancellationToken: cancellationToken);
        await scheduler.UpdateAsync(connection.AccountId, connection.AppId, s =>
        {
            if (s.Source == ReviewSources.AppStoreConnect)
            {
                return false; // the queued fetch ran already and switched the source itself
            }
            s.Source = ReviewSources.AppStoreConnect;
            s.BackfillPending = s.BackfillCompletedAt is null;
            // The hourly ceiling: the index entry moves to the next hourly slot unless it is due sooner.
            s.IntervalTicks = scheduler.CeilingFor(ReviewSources.AppStoreConnect).Ticks;
            return true;
        }, cancellationToken);
        logger.LogInformation("App {AccountId}/{AppId} switched to hourly App Store Connect fetching; history queued",
            connection.AccountId, connection.AppId);
    }

    /// <summary>
    /// Back to the public feed's schedule (its next slot). The saved history stays; an unfinished history import is
    /// dropped (its cursor needs the deleted key). A fetch still running with the key when it was deleted repairs this
    /// after itself (<see cref="ReviewFetcher"/>).
    /// </summary>
    public async Task OnDisconnectedAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        await scheduler.FallBackToFeedAsync(accountId, appId, cancellationToken);
        logger.LogInformation("App {AccountId}/{AppId} is back on the public feed's schedule", accountId, appId);
    }

    /// <summary>The connection works again: fetch now, from the API watermark the paused fetches left where it
    /// was.</summary>
    public async Task OnRecoveredAsync(AppConnection connection, CancellationToken cancellationToken)
    {
        if (await apps.GetAsync(connection.AccountId, connection.AppId, cancellationToken) is null)
        {
            return;
        }
        await queue.SendAsync(ReviewQueues.ReviewFetches,
            new ReviewFetchRequest(connection.AccountId, connection.AppId), cancellationToken: cancellationToken);
    }

    /// <summary>The key's request budget goes with the key (a connection's key outlives any one of its apps).</summary>
    public Task OnKeyRetiredAsync(string credentialReference, CancellationToken cancellationToken) =>
        budgets.RemoveAsync(credentialReference, cancellationToken);

    public async Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        await scheduler.RemoveAsync(accountId, appId, cancellationToken);
        await store.PurgeAsync(appId, cancellationToken);
    }
}
