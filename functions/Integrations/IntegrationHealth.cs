using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;

namespace ReviewHub.Integrations;

/// <summary>Asks for a health check of one app's connection (the daily timer, or a refused call).</summary>
public sealed record IntegrationHealthCheckRequest(string AccountId, string AppId);

/// <summary>What a health check concluded.</summary>
public enum HealthCheckOutcome
{
    /// <summary>No connection in force (never set up, failed, disconnected, or the app was removed).</summary>
    NotConnected,
    Healthy,
    Degraded,
    /// <summary>App Store Connect did not answer (outage, rate limit): nothing changed; the next check
    /// decides.</summary>
    Undecided,
}

/// <summary>
/// Checks a connection in force the way the setup verified it: the key signs (401 = revoked), the integration user is
/// still in the team (<see cref="AscUserDirectory"/>), its roles still cover the kind in force
/// (<see cref="IntegrationRoles"/>), and the key still sees the app. A finding degrades the connection with its exact
/// cause (audit trail, owner emailed once per cause); a passing check returns a degraded connection to Active and lets
/// the features catch up. App Store Connect not answering changes nothing.
/// </summary>
public sealed class IntegrationHealthCheck(
    IntegrationStore store,
    AppStore apps,
    AppStoreConnectCredentialStore credentials,
    AscUserDirectory directory,
    IntegrationEventLog events,
    IntegrationDegradedEmails emails,
    IEnumerable<IIntegrationConnectionListener> listeners,
    TimeProvider clock,
    ILogger<IntegrationHealthCheck> logger)
{
    public async Task<HealthCheckOutcome> CheckAsync(string accountId, string appId,
        CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(accountId, appId, cancellationToken);
        var app = await apps.GetAsync(accountId, appId, cancellationToken);
        if (row is not { IsActive: true, CredentialReference: { } reference } || app is null)
        {
            return HealthCheckOutcome.NotConnected;
        }
        (ConnectionProblem Cause, string Reason)? problem;
        try
        {
            problem = await FindProblemAsync(row, app, reference, cancellationToken);
        }
        catch (AppStoreConnectException ex) when (ex.IsTransient
            || ex.Failure is AppStoreConnectFailure.AgreementsMissing or AppStoreConnectFailure.MalformedResponse)
        {
            logger.LogWarning("Health check of {AccountId}/{AppId} got no decisive answer: {Failure} {Code}",
                accountId, appId, ex.Failure, ex.Code);
            return HealthCheckOutcome.Undecided;
        }

        if (problem is not { } found)
        {
            if (await store.RecoverAsync(row, cancellationToken))
            {
                await RecoveredAsync(row, cancellationToken);
            }
            return HealthCheckOutcome.Healthy;
        }
        var now = clock.GetUtcNow();
        if (await store.DegradeAsync(row, found.Cause, found.Reason, now, cancellationToken))
        {
            logger.LogWarning("Connection of {AccountId}/{AppId} degraded: {Cause}", accountId, appId, found.Cause);
            await events.RecordAsync(accountId, appId, IntegrationEventKind.Degraded, now, null, found.Reason,
                cancellationToken);
        }
        await emails.SendOnceAsync(accountId, appId, found.Cause, cancellationToken);
        return HealthCheckOutcome.Degraded;
    }

    private async Task RecoveredAsync(IntegrationEntity read, CancellationToken cancellationToken)
    {
        logger.LogInformation("Connection of {AccountId}/{AppId} works again", read.AccountId, read.AppId);
        await events.RecordAsync(read.AccountId, read.AppId, IntegrationEventKind.Recovered, clock.GetUtcNow(), null,
            $"App Store Connect takes the connection again (was: {read.DegradedCause ?? "a refused key"}).",
            cancellationToken);
        var row = await store.GetAsync(read.AccountId, read.AppId, cancellationToken);
        if (row is { IsActive: true })
        {
            foreach (var listener in listeners)
            {
                await listener.OnRecoveredAsync(row, cancellationToken);
            }
        }
    }

    private async Task<(ConnectionProblem, string)?> FindProblemAsync(
        IntegrationEntity row, AppEntity app, string reference, CancellationToken cancellationToken)
    {
        AppStoreConnectCredential credential;
        try
        {
            credential = await credentials.LoadAsync(reference, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            return (ConnectionProblem.KeyRevoked,
                "The registered API key is missing from the vault; ReviewHub operators must register it again.");
        }
        AscMembership? membership;
        try
        {
            membership = await directory.FindAsync(credential, row.IntegrationEmail, cancellationToken);
            if (membership is { IsUser: true } && !await directory.SeesAppAsync(credential, app.StoreAppId,
                cancellationToken))
            {
                return (ConnectionProblem.AppAccessRemoved,
                    $"{row.IntegrationEmail} no longer has access to {app.Name} in App Store Connect: in Users and " +
                    "Access, give it access to the app (or to all apps), then tell ReviewHub you fixed it.");
            }
        }
        catch (AppStoreConnectException ex) when (ex.Failure == AppStoreConnectFailure.NotAuthorized)
        {
            return (ConnectionProblem.KeyRevoked,
                $"App Store Connect refuses the API key of {row.IntegrationEmail} (401 {ex.Code}): it was revoked, " +
                "or the user was removed. Invite the user again if you removed it; ReviewHub operators register a " +
                "new key.");
        }
        catch (AppStoreConnectException ex) when (ex.Failure == AppStoreConnectFailure.Forbidden)
        {
            return (ConnectionProblem.KeyForbidden,
                $"App Store Connect forbids the API key of {row.IntegrationEmail} to read the team (403 {ex.Code}): " +
                $"its roles were probably reduced. It needs {IntegrationRoles.Describe(IntegrationRoles.For(
                    row.ActiveKindValue!.Value))}.");
        }
        if (membership is not { IsUser: true })
        {
            return (ConnectionProblem.UserRemoved,
                $"{row.IntegrationEmail} is no longer a user of your App Store Connect team: invite it again with " +
                "the same roles in Users and Access, then tell ReviewHub you fixed it.");
        }
        var evaluation = IntegrationRoles.Evaluate(row.ActiveKindValue!.Value, membership.Roles);
        if (!evaluation.Satisfied)
        {
            return (ConnectionProblem.RolesReduced,
                $"{row.IntegrationEmail} lost roles the connection needs: " +
                $"{IntegrationEmails.RoleNames(string.Join(',', evaluation.Missing))}. Add them in Users and Access, " +
                "then tell ReviewHub you fixed it.");
        }
        return null;
    }
}
