using ReviewHub.Apps;

namespace ReviewHub.Integrations;

/// <summary>
/// App removal: the app no longer points to its connection. The connection, its key and its other apps stay (the key
/// belongs to the team, not to the app); disconnecting is the customer's call.
/// </summary>
public sealed class IntegrationPurger(ConnectionAppStore links) : IAppDataPurger
{
    public Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        links.UnlinkAsync(accountId, appId, cancellationToken);
}
