using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Apps;

/// <summary>The SPA's app endpoints: register, list, read, update and remove the apps of an account.</summary>
internal sealed class AppFunctions(
    AccountStore accounts, AppStore apps, IMessageQueue queue, IEnumerable<IAppRegisteredListener> registeredListeners,
    IOptions<AccountLimitsOptions> limits)
{
    [Function(nameof(ListApps))]
    public async Task<IActionResult> ListApps(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/apps")] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        if (await accounts.FindForPermissionAsync(Caller.From(req), accountId, AccountPermission.Read,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var store = req.Query["store"].ToString();
        if (store.Length > 0 && !Stores.All.Contains(store))
        {
            var errors = new ValidationErrors();
            errors.Add("store", $"must be one of: {string.Join(", ", Stores.All)}.");
            return Problems.Validation(errors);
        }
        var list = await apps.ListAsync(accountId, cancellationToken);
        return new OkObjectResult(new
        {
            items = list.Where(app => store.Length == 0 || app.Store == store).Select(AppResponse.From),
        });
    }

    [Function(nameof(RegisterApp))]
    public async Task<IActionResult> RegisterApp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts/{accountId}/apps")] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        if (await accounts.FindForPermissionAsync(Caller.From(req), accountId, AccountPermission.Read,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<RegisterAppRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        if ((TerritoryLimitProblem(body.Territories) ?? await AppLimitProblemAsync(accountId, cancellationToken))
            is { } tooMany)
        {
            return tooMany;
        }
        var (outcome, app) = await apps.RegisterAsync(accountId, body, cancellationToken);
        // Also for a duplicate: listeners are idempotent, so a client retrying a registration whose listener failed
        // (e.g. storage blipped after the app was written) repairs the missing schedule instead of leaving it out.
        await NotifyRegisteredAsync(app, cancellationToken);
        return outcome == RegisterOutcome.Duplicate
            ? Problems.Conflict($"This account already has {app.Platform} app {app.StoreAppId} (appId {app.AppId}).")
            : new CreatedResult($"/api/accounts/{accountId}/apps/{app.AppId}", AppResponse.From(app));
    }

    private async Task NotifyRegisteredAsync(AppEntity app, CancellationToken cancellationToken)
    {
        foreach (var listener in registeredListeners)
        {
            await listener.OnRegisteredAsync(app, cancellationToken);
        }
    }

    /// <summary>The account already has as many apps as it may (problem), or null.</summary>
    private async Task<IActionResult?> AppLimitProblemAsync(string accountId, CancellationToken cancellationToken)
    {
        var max = limits.Value.AppsPerAccount;
        return (await apps.ListAsync(accountId, cancellationToken)).Count >= max
            ? AccountLimitsOptions.Exceeded(nameof(AccountLimitsOptions.AppsPerAccount), max,
                $"An account has at most {max} apps; remove one first.")
            : null;
    }

    [Function(nameof(GetApp))]
    public async Task<IActionResult> GetApp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/apps/{appId}")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        return access.TryGet(out var app, out var denied) ? new OkObjectResult(AppResponse.From(app)) : denied;
    }

    [Function(nameof(UpdateApp))]
    public async Task<IActionResult> UpdateApp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "accounts/{accountId}/apps/{appId}")]
            HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        if (!access.TryGet(out var existing, out var denied))
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<UpdateAppRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        if (body.ValidateFor(existing.Store) is { IsEmpty: false } errors)
        {
            return Problems.Validation(errors);
        }
        if (TerritoryLimitProblem(body.Territories) is { } tooMany)
        {
            return tooMany;
        }
        var app = await apps.UpdateAsync(accountId, appId, body, cancellationToken);
        return app is null || app.IsDeleted ? Problems.NotFound("No such app.")
            : new OkObjectResult(AppResponse.From(app));
    }

    [Function(nameof(RemoveApp))]
    public async Task<IActionResult> RemoveApp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "accounts/{accountId}/apps/{appId}")]
            HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken)).TryGet(out _, out _)
            || await apps.MarkDeletedAsync(accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        // Also re-sent when the app was already tombstoned: a client retry then repairs a purge message that never got
        // sent.
        await queue.SendAsync(AppQueues.AppRemovals, new AppRemoval(accountId, appId),
            cancellationToken: cancellationToken);
        return new NoContentResult();
    }

    /// <summary>
    /// Each territory costs one feed request per fetch: an app has at most
    /// <see cref="AccountLimitsOptions.TerritoriesPerApp"/>.
    /// </summary>
    private IActionResult? TerritoryLimitProblem(IReadOnlyList<string>? territories)
    {
        var max = limits.Value.TerritoriesPerApp;
        return territories is not null && territories.Distinct(StringComparer.Ordinal).Count() > max
            ? AccountLimitsOptions.Exceeded(
                nameof(AccountLimitsOptions.TerritoriesPerApp), max, $"An app has at most {max} territories.")
            : null;
    }
}
