using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;

namespace ReviewHub.Integrations;

/// <summary>
/// Lists the apps a connection's key sees and links the account's registered App Store apps to the connection by
/// their App Store id (the API's <c>apps.id</c>, which is the app's Apple ID).
/// </summary>
internal sealed class ConnectionAppLinker(
    AppStoreConnectAppCatalog catalog, ConnectionAppStore links, AppStore apps, TimeProvider clock)
{
    public async Task<IReadOnlyList<AppConnectionLinkEntity>> RefreshAsync(
        IntegrationEntity connection, AppStoreConnectCredential credential, CancellationToken cancellationToken) =>
        await LinkAsync(connection.AccountId, connection.ConnectionId,
            await catalog.ListAsync(credential, cancellationToken), cancellationToken);

    /// <summary>
    /// Saves <paramref name="seen"/> as the connection's catalogue and links every registered app among them; returns
    /// every app the connection serves. An app another connection served moves here (the newer key sees it).
    /// </summary>
    public async Task<IReadOnlyList<AppConnectionLinkEntity>> LinkAsync(
        string accountId, string connectionId, IReadOnlyList<AppStoreConnectApp> seen,
            CancellationToken cancellationToken)
    {
        var registered = (await apps.ListAsync(accountId, cancellationToken))
            .Where(a => a.Store == Stores.AppStore)
            .ToLookup(a => a.StoreAppId, StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var rows = seen.Select(app => new ConnectionAppEntity
        {
            PartitionKey = accountId,
            RowKey = ConnectionAppEntity.KeyFor(connectionId, app.AscAppId),
            ConnectionId = connectionId,
            AscAppId = app.AscAppId,
            Name = app.Name,
            BundleId = app.BundleId,
            Platforms = string.Join(',', app.Platforms),
            SeenAt = now,
            LinkedAppIds = string.Join(',', registered[app.AscAppId].Select(a => a.AppId)),
        }).ToList();
        await links.SaveCatalogueAsync(accountId, connectionId, rows, cancellationToken);
        foreach (var row in rows)
        {
            foreach (var appId in row.LinkedAppIdList)
            {
                await links.LinkAsync(accountId, connectionId, appId, row.AscAppId, cancellationToken);
            }
        }
        return await links.LinkedAppsAsync(accountId, connectionId, cancellationToken);
    }
}

/// <summary>
/// Verifies a team key without side effects: it signs (App Store Connect takes the token), <c>GET /v1/apps</c> lists
/// the team's apps, and, for kinds that read reviews, one review page of the first app can be read. A reply permission
/// cannot be known without sending a reply: the first reply finds it out (<see cref="ReplyPermission"/>).
/// </summary>
internal sealed class TeamKeyVerifier(AppStoreConnectAppCatalog catalog, AppStoreConnectClient client)
{
    public async Task<IReadOnlyList<AppStoreConnectApp>> VerifyAsync(
        AppStoreConnectCredential credential, IntegrationKind kind, CancellationToken cancellationToken)
    {
        var apps = await catalog.ListAsync(credential, cancellationToken);
        if (apps.Count > 0 && kind is IntegrationKind.FullAccess or IntegrationKind.ReplyToReviews)
        {
            await client.SendWithoutResultAsync(credential, HttpMethod.Get,
                $"/v1/apps/{Uri.EscapeDataString(apps[0].AscAppId)}/customerReviews?limit=1", cancellationToken);
        }
        return apps;
    }
}
