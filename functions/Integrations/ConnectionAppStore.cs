using Azure;
using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>The apps each connection sees and the links of registered apps to their connection.</summary>
internal sealed class ConnectionAppStore(TableServiceClient tables)
{
    private readonly TableClient table = tables.GetTableClient(IntegrationTables.ConnectionApps);

    public Task<AppConnectionLinkEntity?> GetLinkAsync(
        string accountId, string appId, CancellationToken cancellationToken) =>
        table.FindAsync<AppConnectionLinkEntity>(accountId, AppConnectionLinkEntity.Prefix + appId, cancellationToken);

    /// <summary>Links an app to a connection (moves it, when another connection had it).</summary>
    public Task LinkAsync(
        string accountId, string connectionId, string appId, string ascAppId, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new AppConnectionLinkEntity
        {
            PartitionKey = accountId,
            RowKey = AppConnectionLinkEntity.Prefix + appId,
            ConnectionId = connectionId,
            AscAppId = ascAppId,
        }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// The app was removed: it no longer points anywhere and the connection's catalogue no longer names it (the
    /// connection and its other apps stay). The catalogue first, then the link: a purge repeated after a crash in
    /// between still finds the link that says which catalogue row to clean.
    /// </summary>
    public async Task UnlinkAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        if (await GetLinkAsync(accountId, appId, cancellationToken) is not { } link)
        {
            return; // already unlinked: a repeated purge
        }
        await table.UpdateAsync<ConnectionAppEntity>(accountId,
            ConnectionAppEntity.KeyFor(link.ConnectionId, link.AscAppId), app =>
            {
                var kept = app.LinkedAppIdList.Where(id => id != appId).ToList();
                if (kept.Count == app.LinkedAppIdList.Count)
                {
                    return false;
                }
                app.LinkedAppIds = string.Join(',', kept);
                return true;
            }, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(accountId, AppConnectionLinkEntity.Prefix + appId, ETag.All,
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Unlinked meanwhile by a concurrent purge.
        }
    }

    /// <summary>The registered apps a connection serves (bounded by the account's apps).</summary>
    public async Task<IReadOnlyList<AppConnectionLinkEntity>> LinkedAppsAsync(
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        var filter = string.Join(" and ",
            TableClient.CreateQueryFilter(
                $"PartitionKey eq {accountId} and RowKey ge {AppConnectionLinkEntity.Prefix} and RowKey lt {"app}"}"),
            TableClient.CreateQueryFilter($"ConnectionId eq {connectionId}"));
        var links = new List<AppConnectionLinkEntity>();
        await foreach (var link in table.QueryRowsAsync<AppConnectionLinkEntity>(filter,
            cancellationToken: cancellationToken))
        {
            links.Add(link);
        }
        return links;
    }

    /// <summary>The apps the connection's key saw when last listed, by name.</summary>
    public async Task<IReadOnlyList<ConnectionAppEntity>> CatalogueAsync(
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {accountId} and RowKey ge {connectionId + "|"} and RowKey lt {connectionId + "}"}");
        var apps = new List<ConnectionAppEntity>();
        await foreach (var app in table.QueryRowsAsync<ConnectionAppEntity>(filter,
            cancellationToken: cancellationToken))
        {
            apps.Add(app);
        }
        return apps.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Records what the key sees now; apps it no longer sees leave the catalogue.</summary>
    public async Task SaveCatalogueAsync(
        string accountId, string connectionId, IReadOnlyList<ConnectionAppEntity> seen,
        CancellationToken cancellationToken)
    {
        foreach (var app in seen)
        {
            await table.UpsertEntityAsync(app, TableUpdateMode.Replace, cancellationToken);
        }
        var kept = seen.Select(a => a.RowKey).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in (await CatalogueAsync(accountId, connectionId, cancellationToken))
            .Where(a => !kept.Contains(a.RowKey)))
        {
            await table.DeleteEntityAsync(gone.PartitionKey, gone.RowKey, ETag.All, cancellationToken);
        }
    }
}
