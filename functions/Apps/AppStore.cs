using Azure;
using Azure.Data.Tables;
using ReviewHub.Accounts;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Apps;

public enum RegisterOutcome { Created, Duplicate }

/// <summary>Registered apps, scoped to the accounts a caller belongs to.</summary>
public sealed class AppStore(TableServiceClient tables, AccountStore accounts, TimeProvider clock)
{
    private readonly TableClient apps = tables.GetTableClient(TableNames.Apps);

    /// <summary>The app if it exists, is not removed, and the caller belongs to its account; null answers 404.</summary>
    public async Task<AppEntity?> FindForMemberAsync(Caller caller, string accountId, string appId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(appId) || await accounts.FindForMemberAsync(caller, accountId, cancellationToken) is null)
        {
            return null;
        }
        return await GetAsync(accountId, appId, cancellationToken);
    }

    /// <summary>The live (not removed) app, for background work that already knows its keys.</summary>
    public async Task<AppEntity?> GetAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var app = await apps.GetEntityIfExistsAsync<AppEntity>(accountId, appId, cancellationToken: cancellationToken);
        return app.HasValue && !app.Value!.IsDeleted ? app.Value : null;
    }

    public async Task<IReadOnlyList<AppEntity>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var list = new List<AppEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey lt {"~"}");
        await foreach (var app in apps.QueryAsync<AppEntity>(filter, cancellationToken: cancellationToken))
        {
            if (!app.IsDeleted)
            {
                list.Add(app);
            }
        }
        return list;
    }

    public async Task<(RegisterOutcome Outcome, AppEntity App)> RegisterAsync(string accountId, RegisterAppRequest request, CancellationToken cancellationToken)
    {
        var app = new AppEntity
        {
            PartitionKey = accountId,
            RowKey = Ids.New(),
            StoreAppId = request.StoreAppId!,
            Platform = request.Platform!,
            Name = request.Name!.Trim(),
            Territories = AppRules.JoinTerritories(request.Territories!),
            CreatedAt = clock.GetUtcNow(),
        };
        var index = new AppStoreIdIndexEntity
        {
            PartitionKey = accountId,
            RowKey = AppStoreIdIndexEntity.KeyFor(app.Platform, app.StoreAppId),
            AppId = app.AppId,
        };
        try
        {
            // One transaction: the app and its uniqueness row land together or not at all.
            await apps.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Add, app), new TableTransactionAction(TableTransactionActionType.Add, index)],
                cancellationToken);
            return (RegisterOutcome.Created, app);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            var existing = await apps.GetEntityAsync<AppStoreIdIndexEntity>(accountId, index.RowKey, cancellationToken: cancellationToken);
            var other = await GetAsync(accountId, existing.Value.AppId, cancellationToken);
            return (RegisterOutcome.Duplicate, other ?? app);
        }
    }

    public Task<AppEntity?> UpdateAsync(string accountId, string appId, UpdateAppRequest request, CancellationToken cancellationToken) =>
        apps.UpdateAsync<AppEntity>(accountId, appId, app =>
        {
            if (app.IsDeleted)
            {
                return false;
            }
            if (request.Name is not null)
            {
                app.Name = request.Name.Trim();
            }
            if (request.Territories is not null)
            {
                app.Territories = AppRules.JoinTerritories(request.Territories);
            }
            return true;
        }, cancellationToken);

    /// <summary>
    /// Tombstones the app and frees its store id; the purge then runs from the removals queue.
    /// Returns the app (also when it was already tombstoned), or null when there is no such row.
    /// </summary>
    public async Task<AppEntity?> MarkDeletedAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(appId))
        {
            return null;
        }
        var app = await apps.UpdateAsync<AppEntity>(accountId, appId, app =>
        {
            if (app.IsDeleted)
            {
                return false;
            }
            app.DeletedAt = clock.GetUtcNow();
            return true;
        }, cancellationToken);
        if (app is not null)
        {
            await DeleteIfExistsAsync(accountId, AppStoreIdIndexEntity.KeyFor(app.Platform, app.StoreAppId), cancellationToken);
        }
        return app;
    }

    /// <summary>True when the app's row is a tombstone awaiting its purge (false for a live app or a row already gone).</summary>
    public async Task<bool> IsTombstonedAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var app = await apps.GetEntityIfExistsAsync<AppEntity>(accountId, appId, cancellationToken: cancellationToken);
        return app.HasValue && app.Value!.IsDeleted;
    }

    /// <summary>Deletes the tombstoned app's row: the last step of a purge.</summary>
    public Task DeleteRowAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        DeleteIfExistsAsync(accountId, appId, cancellationToken);

    private async Task DeleteIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await apps.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone: a duplicate purge message.
        }
    }
}
