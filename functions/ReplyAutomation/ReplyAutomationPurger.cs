using ReviewHub.Apps;

namespace ReviewHub.ReplyAutomation;

/// <summary>Removes an app's rules, drafts, settings, counters and rule audit when the app is removed.</summary>
internal sealed class ReplyAutomationPurger(ReplyAutomationStore store) : IAppDataPurger
{
    public Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        store.PurgeAppAsync(appId, cancellationToken);
}
