using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Storage;

namespace ReviewHub.Apps;

/// <summary>Purges a removed app's data feature by feature, then deletes the app. Safe to run twice.</summary>
public sealed class AppRemovalFunction(IEnumerable<IAppDataPurger> purgers, AppStore apps, ILogger<AppRemovalFunction> logger)
{
    [Function(nameof(PurgeRemovedApp))]
    public async Task PurgeRemovedApp([QueueTrigger(QueueNames.AppRemovals)] AppRemoval message, CancellationToken cancellationToken)
    {
        // Only a tombstoned app is purged: a stray message for a live app must never delete its data.
        var tombstone = await apps.GetTombstoneAsync(message.AccountId, message.AppId, cancellationToken);
        if (tombstone is null)
        {
            logger.LogWarning("Skipped purge of {AccountId}/{AppId}: the app is live or already gone", message.AccountId, message.AppId);
            return;
        }
        foreach (var purger in purgers)
        {
            await purger.PurgeAsync(message.AccountId, message.AppId, cancellationToken);
        }
        await apps.DeleteTombstoneAsync(tombstone, cancellationToken);
        logger.LogInformation("Purged removed app {AccountId}/{AppId}", message.AccountId, message.AppId);
    }
}
