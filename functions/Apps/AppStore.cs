using Azure;
using Azure.Data.Tables;
using ReviewHub.Accounts;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Apps;

internal enum RegisterOutcome { Created, Duplicate }

/// <summary>Registered apps, scoped to the accounts a caller belongs to.</summary>
internal sealed class AppStore(TableServiceClient tables, AccountStore accounts, TimeProvider clock)
{
    private readonly TableClient apps = tables.GetTableClient(AppTables.Apps);

    /// <summary>
    /// The app when the caller's role in its account allows <paramref name="permission"/> (any member may
    /// <see cref="AccountPermission.Read"/>), else the answer: 404 for a non-member or an unknown app (existence never
    /// leaks), 403 for a member whose role does not allow it. The prelude of every endpoint under an app.
    /// </summary>
    public async Task<Checked<AppEntity>> AccessAsync(Caller caller, string accountId, string appId,
        AccountPermission permission, CancellationToken cancellationToken)
    {
        var member = Ids.IsValid(appId) && Ids.IsValid(accountId)
            ? await accounts.FindWithRoleAsync(caller, accountId, cancellationToken)
            : null;
        var app = member is null ? null : await GetAsync(accountId, appId, cancellationToken);
        if (app is null)
        {
            return Checked.Failed<AppEntity>(Problems.NotFound("No such app."));
        }
        return MemberRoles.Allows(member!.Value.Role, permission)
            ? Checked.Passed<AppEntity>(app)
            : Checked.Failed<AppEntity>(AccountAccess.Denied(member.Value.Role, permission));
    }

    /// <summary>The live (not removed) app, for background work that already knows its keys.</summary>
    public async Task<AppEntity?> GetAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId) || !Ids.IsValid(appId))
        {
            return null;
        }
        var app = await apps.FindAsync<AppEntity>(accountId, appId, cancellationToken);
        return app is not null && !app.IsDeleted ? app : null;
    }

    public async Task<IReadOnlyList<AppEntity>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var list = new List<AppEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey lt {"~"}");
        await foreach (var app in apps.QueryRowsAsync<AppEntity>(filter, cancellationToken: cancellationToken))
        {
            if (!app.IsDeleted)
            {
                list.Add(app);
            }
        }
        return list;
    }

    public async Task<(RegisterOutcome Outcome, AppEntity App)> RegisterAsync(string accountId,
        RegisterAppRequest request, CancellationToken cancellationToken)
    {
        var app = new AppEntity
        {
            PartitionKey = accountId,
            RowKey = Ids.New(),
            StoreAppId = request.StoreAppId!,
            Platform = request.Platform!,
            Name = request.Name!.Trim(),
            Territories = AppRules.JoinTerritories(request.Territories ?? []),
            CreatedAt = clock.GetUtcNow(),
        };
        var index = new AppStoreIdIndexEntity
        {
            PartitionKey = accountId,
            RowKey = AppStoreIdIndexEntity.KeyFor(app.Platform, app.StoreAppId),
            AppId = app.AppId,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // One transaction: the app and its uniqueness row land together or not at all.
                await apps.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.Add, app),
                        new TableTransactionAction(TableTransactionActionType.Add, index)],
                    cancellationToken);
                return (RegisterOutcome.Created, app);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                var existing = await apps.FindAsync<AppStoreIdIndexEntity>(accountId, index.RowKey, cancellationToken);
                if (existing is not null && await GetAsync(accountId, existing.AppId, cancellationToken)
                    is { } other)
                {
                    return (RegisterOutcome.Duplicate, other);
                }
                if (attempt == 2)
                {
                    throw new ConcurrencyConflictException(
                        $"Registering {index.RowKey} in {accountId} kept conflicting.", ex);
                }
                // The row names an app that is gone or being removed (a removal stopped before it freed the id): free
                // it, retry.
                if (existing is not null)
                {
                    await DeleteIfUnchangedAsync(existing, cancellationToken);
                }
            }
        }
    }

    public Task<AppEntity?> UpdateAsync(string accountId, string appId, UpdateAppRequest request,
        CancellationToken cancellationToken) =>
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
            if (request.TranslationLanguage is not null)
            {
                app.TranslationLanguage = request.TranslationLanguage.Length == 0 ? null : request.TranslationLanguage;
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
            await FreeStoreIdAsync(app, cancellationToken);
        }
        return app;
    }

    /// <summary>The app's row if it is a tombstone awaiting its purge; null for a live app or a row already
    /// gone.</summary>
    public async Task<AppEntity?> GetTombstoneAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var app = await apps.FindAsync<AppEntity>(accountId, appId, cancellationToken);
        return app is not null && app.IsDeleted ? app : null;
    }

    /// <summary>
    /// The last step of the last purge pass: frees the app's store id if its uniqueness row still names this app
    /// (removal normally frees it at once; this repairs a removal that stopped in between), then deletes the tombstone.
    /// </summary>
    public async Task DeleteTombstoneAsync(AppEntity tombstone, CancellationToken cancellationToken)
    {
        await FreeStoreIdAsync(tombstone, cancellationToken);
        await DeleteIfExistsAsync(tombstone.AccountId, tombstone.AppId, cancellationToken);
    }

    /// <summary>Deletes the store-id uniqueness row if it still names <paramref name="app"/> (a newer registration's
    /// row is kept).</summary>
    private async Task FreeStoreIdAsync(AppEntity app, CancellationToken cancellationToken)
    {
        var index = await apps.FindAsync<AppStoreIdIndexEntity>(app.AccountId,
            AppStoreIdIndexEntity.KeyFor(app.Platform, app.StoreAppId), cancellationToken);
        if (index is not null && index.AppId == app.AppId)
        {
            await DeleteIfUnchangedAsync(index, cancellationToken);
        }
    }

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

    /// <summary>Deletes a row only if nobody changed it since it was read (a concurrent writer's newer row is
    /// kept).</summary>
    private async Task DeleteIfUnchangedAsync(ITableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await apps.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or replaced by a concurrent registration: either way not ours to delete.
        }
    }
}
