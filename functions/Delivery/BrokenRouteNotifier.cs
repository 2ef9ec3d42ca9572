using System.Net;
using Microsoft.Extensions.Logging;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Email;
using ReviewHub.Observability;

namespace ReviewHub.Delivery;

/// <summary>Marks a route broken and emails the account owner once per break (the transition decides who sends the
/// email).</summary>
internal sealed class BrokenRouteNotifier(
    RouteStore routes, AccountStore accounts, EmailConfirmationStore confirmations, IEmailSender email,
    ReviewLinks links, ReviewHubMetrics metrics, ILogger<BrokenRouteNotifier> logger)
{
    public async Task RouteBrokeAsync(RouteEntity route, AppEntity app, string reason,
        CancellationToken cancellationToken)
    {
        if (!await routes.MarkBrokenAsync(route.AppId, route.RouteId, reason, cancellationToken))
        {
            return;
        }
        metrics.RouteBroke(route.Channel);
        logger.LogWarning("Route {RouteId} ({Channel}) of app {AppId} is broken: {Reason}", route.RouteId,
            route.Channel, route.AppId, reason);
        var account = await accounts.GetAsync(route.AccountId, cancellationToken);
        if (account is null
            || !await confirmations.IsConfirmedAsync(account.AccountId, account.OwnerEmail, cancellationToken))
        {
            return; // the SPA shows the break; an unconfirmed owner email gets nothing
        }
        var channel = route.Channel.ToLowerInvariant();
        var routesUrl = links.Routes(route.AccountId, route.AppId);
        var subject = $"Action needed: {channel} notifications for {app.Name} stopped";
        var text =
            $"ReviewHub could not deliver new reviews of {app.Name} to your {channel} route " +
            $"({route.Name ?? route.Target}).\n\n" +
                   $"Reason: {reason}\n\nNew reviews are still collected. Update the route's credentials or target " +
                       $"to resume: {routesUrl}\n";
        var html =
            $"<p>ReviewHub could not deliver new reviews of <b>{WebUtility.HtmlEncode(app.Name)}</b> to " +
            $"your {channel} route " +
                   $"({WebUtility.HtmlEncode(route.Name ?? route.Target)}).</p><p>Reason:" +
                       $" {WebUtility.HtmlEncode(reason)}</p>" +
                   $"<p>New reviews are still collected. <a href=\"{WebUtility.HtmlEncode(routesUrl)}\">Update the " +
                       $"route</a> to resume.</p>";
        try
        {
            await email.SendAsync(new EmailMessage([account.OwnerEmail], subject, text, html), cancellationToken);
        }
        catch (Exception ex) when (
            ex is EmailDeliveryException or HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            // The route stays broken and the SPA shows why; one lost notice must not re-open the break.
            logger.LogError(ex, "Could not email the owner of account {AccountId} about broken route {RouteId}",
                route.AccountId, route.RouteId);
        }
    }
}
