using Microsoft.Extensions.Logging;
using ReviewHub.Apps;
using ReviewHub.Integrations;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// Ingestion's part of an app's life: a schedule when the app is registered, hourly API fetching with a full-history backfill
/// when its integration becomes active, and no trace of its reviews, schedule or key budget once it is removed.
/// </summary>
public sealed class ReviewLifecycle(
    FetchScheduler scheduler, ReviewStore store, ApiKeyBudgets budgets, AppStore apps, IMessageQueue queue,
    TimeProvider clock, ILogger<ReviewLifecycle> logger)
    : IAppRegisteredListener, IIntegrationActivationListener, IAppDataPurger
{
    public Task OnRegisteredAsync(AppEntity app, CancellationToken cancellationToken) =>
        scheduler.CreateAsync(app.AccountId, app.AppId, cancellationToken);

    public async Task OnActivatedAsync(IntegrationEntity integration, CancellationToken cancellationToken)
    {
        if (await apps.GetAsync(integration.AccountId, integration.AppId, cancellationToken) is null)
        {
            return; // removed while its setup ran: writing a schedule now would outlive the purge
        }
        if (await scheduler.GetAsync(integration.AccountId, integration.AppId, cancellationToken) is null)
        {
            await scheduler.CreateAsync(integration.AccountId, integration.AppId, cancellationToken);
        }
        var started = false;
        await scheduler.UpdateAsync(integration.AccountId, integration.AppId, schedule =>
        {
            if (schedule.Source == ReviewSources.AppStoreConnect && (schedule.BackfillPending || schedule.BackfillCompletedAt is not null))
            {
                started = false;
                return false; // a repeated activation: the switch and the backfill already happened
            }
            schedule.Source = ReviewSources.AppStoreConnect;
            schedule.BackfillPending = schedule.BackfillCompletedAt is null;
            schedule.NextDueAt = FetchScheduler.NextSlotAfter(clock.GetUtcNow(), scheduler.IntervalFor(ReviewSources.AppStoreConnect), schedule.AppId);
            started = true;
            return true;
        }, cancellationToken);
        if (started)
        {
            // The backfill starts now rather than at the app's next hourly slot.
            await queue.SendAsync(QueueNames.ReviewFetches, new ReviewFetchRequest(integration.AccountId, integration.AppId), cancellationToken: cancellationToken);
            logger.LogInformation("App {AccountId}/{AppId} switched to hourly App Store Connect fetching; backfill enqueued",
                integration.AccountId, integration.AppId);
        }
    }

    public async Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        await scheduler.RemoveAsync(accountId, appId, cancellationToken);
        await store.PurgeAsync(appId, cancellationToken);
        await budgets.RemoveAsync(IntegrationCredentials.SecretName(accountId, appId), cancellationToken);
    }
}
