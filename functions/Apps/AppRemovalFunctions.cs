using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Storage;

namespace ReviewHub.Apps;

/// <summary>
/// Purges a removed app's data feature by feature. Work already in flight when the app was removed (a fetch paging, a
/// delivery claiming, a reply being sent) can still write after a purge, so the tombstone is kept and the purge runs
/// again once <see cref="FinalPurgeAfter"/> has passed since the removal; that pass deletes the tombstone. Safe to run
/// twice.
/// </summary>
/// <remarks>
/// Why this is a guarantee: every function that creates a row for an app (insert or upsert) first reads the app in the
/// same invocation and writes nothing once it is tombstoned or gone, and the host ends every invocation within
/// host.json's <c>functionTimeout</c> (10 minutes; it restarts the worker on a timeout). So no row of the app is
/// created later than <c>functionTimeout</c> after the tombstone; updates and deletes never create one. The pass that
/// runs at least <see cref="FinalPurgeAfter"/> after the tombstone therefore sees every row the app will ever have, and
/// after it the app has none. A test keeps <see cref="FinalPurgeAfter"/> above the configured function timeout.
/// </remarks>
internal sealed class AppRemovalFunctions(
    IEnumerable<IAppDataPurger> purgers, AppStore apps, IMessageQueue queue, TimeProvider clock,
    ILogger<AppRemovalFunctions> logger)
{
    /// <summary>
    /// The last purge pass runs this long after the removal: host.json's functionTimeout (10 min) with a wide margin.
    /// </summary>
    public static readonly TimeSpan FinalPurgeAfter = TimeSpan.FromMinutes(30);

    [Function(nameof(PurgeRemovedApp))]
    public async Task PurgeRemovedApp([QueueTrigger(AppQueues.AppRemovals)] AppRemoval message,
        CancellationToken cancellationToken)
    {
        // Only a tombstoned app is purged: a stray message for a live app must never delete its data.
        var tombstone = await apps.GetTombstoneAsync(message.AccountId, message.AppId, cancellationToken);
        if (tombstone is null)
        {
            logger.LogWarning("Skipped purge of {AccountId}/{AppId}: the app is live or already gone",
                message.AccountId, message.AppId);
            return;
        }
        // Decided before the pass: only a pass that starts after in-flight work has ended may be the last.
        var finalAt = tombstone.DeletedAt!.Value + FinalPurgeAfter;
        var final = clock.GetUtcNow() >= finalAt;
        foreach (var purger in purgers)
        {
            await purger.PurgeAsync(message.AccountId, message.AppId, cancellationToken);
        }
        if (!final)
        {
            // Also for a pass that came early (a repeated DELETE, a replayed message): the tombstone stays until the
            // last pass.
            await ScheduleLastPassAsync(message, finalAt, cancellationToken);
            return;
        }
        await apps.DeleteTombstoneAsync(tombstone, cancellationToken);
        logger.LogInformation("Purged removed app {AccountId}/{AppId} for the last time",
            message.AccountId, message.AppId);
    }

    private async Task ScheduleLastPassAsync(AppRemoval message, DateTimeOffset finalAt,
        CancellationToken cancellationToken)
    {
        var wait = finalAt - clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        await queue.SendAsync(AppQueues.AppRemovals, message, wait, cancellationToken);
        logger.LogInformation("Purged removed app {AccountId}/{AppId}; the last pass runs at {FinalAt}",
            message.AccountId, message.AppId, finalAt);
    }
}
