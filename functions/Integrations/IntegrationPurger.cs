using ReviewHub.Apps;

namespace ReviewHub.Integrations;

/// <summary>
/// App removal: the app no longer points to its connection, nor does the connection name it (catalogue, activation
/// steps). The connection, its key and its other apps stay (the key belongs to the team, not to the app);
/// disconnecting is the customer's call. The connection's row first, then the link: a purge repeated after a crash in
/// between still finds the link that names the connection.
/// </summary>
internal sealed class IntegrationPurger(ConnectionAppStore links, IntegrationStore store) : IAppDataPurger
{
    public async Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        if (await links.GetLinkAsync(accountId, appId, cancellationToken) is { } link)
        {
            await store.ForgetAppAsync(accountId, link.ConnectionId, appId, cancellationToken);
        }
        await links.UnlinkAsync(accountId, appId, cancellationToken);
    }
}
