using ReviewHub.Apps;

namespace ReviewHub.Replies;

/// <summary>Removes an app's replies, their audit trail and pending-index entries when the app is removed.</summary>
internal sealed class ReplyDataPurger(ReplyStore store) : IAppDataPurger
{
    public Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        store.PurgeAppAsync(appId, cancellationToken);
}
