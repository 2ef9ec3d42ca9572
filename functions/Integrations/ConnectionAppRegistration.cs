using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;

namespace ReviewHub.Integrations;

/// <summary>
/// Registers, in one call, apps a connection found that the account has not registered, and links them; when the
/// connection is in force each new app is activated at once (hourly API fetching and its history import).
/// </summary>
internal sealed class ConnectionAppRegistration(
    AppStore apps,
    ConnectionAppStore links,
    ConnectionAppLinker linker,
    IEnumerable<IAppRegisteredListener> registeredListeners,
    IEnumerable<IIntegrationActivationListener> activationListeners,
    IOptions<AccountLimitsOptions> limits)
{
    public async Task<(IActionResult? Problem, IReadOnlyList<ConnectionAppEntity> Catalogue)> RegisterAsync(
        IntegrationEntity connection, RegisterConnectionAppsRequest request, CancellationToken cancellationToken)
    {
        var (accountId, connectionId) = (connection.AccountId, connection.ConnectionId);
        var catalogue = await links.CatalogueAsync(accountId, connectionId, cancellationToken);
        var unknown = (request.AscAppIds ?? []).Where(id => catalogue.All(a => a.AscAppId != id)).ToList();
        if (unknown.Count > 0)
        {
            var errors = new ValidationErrors();
            errors.Add("ascAppIds", $"the connection does not list {string.Join(", ", unknown)}.");
            return (Problems.Validation(errors), catalogue);
        }
        var chosen = catalogue.Where(a => a.LinkedAppIdList.Count == 0
            && (request.AscAppIds is null || request.AscAppIds.Contains(a.AscAppId))).ToList();
        var max = limits.Value.AppsPerAccount;
        if ((await apps.ListAsync(accountId, cancellationToken)).Count + chosen.Count > max)
        {
            return (AccountLimitsOptions.Exceeded(nameof(AccountLimitsOptions.AppsPerAccount), max,
                $"An account has at most {max} apps; registering {chosen.Count} more would pass it."), catalogue);
        }

        foreach (var found in chosen)
        {
            // A Mac-only record is registered as a macOS app; any record with an iOS version as an iOS app.
            var platform = found.PlatformList is ["MAC_OS"] ? Platforms.MacOs : Platforms.Ios;
            var (_, app) = await apps.RegisterAsync(accountId,
                new RegisterAppRequest(found.AscAppId, platform, found.Name, request.Territories), cancellationToken);
            foreach (var listener in registeredListeners)
            {
                await listener.OnRegisteredAsync(app, cancellationToken);
            }
        }
        var seen = catalogue.Select(a => new AppStoreConnectApp(a.AscAppId, a.Name, a.BundleId,
            a.PlatformList)).ToList();
        var linked = await linker.LinkAsync(accountId, connectionId, seen, cancellationToken);
        if (connection.IsActive)
        {
            foreach (var link in linked.Where(l => chosen.Any(c => c.AscAppId == l.AscAppId)))
            {
                foreach (var listener in activationListeners)
                {
                    await listener.OnActivatedAsync(AppConnection.Of(connection, link.AppId), cancellationToken);
                }
            }
        }
        return (null, await links.CatalogueAsync(accountId, connectionId, cancellationToken));
    }
}
