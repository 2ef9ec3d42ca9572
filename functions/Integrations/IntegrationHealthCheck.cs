using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;

namespace ReviewHub.Integrations;

/// <summary>Asks for a health check of one app's connection (the daily timer, or a refused call).</summary>
internal sealed record IntegrationHealthCheckRequest(string AccountId, string ConnectionId);

/// <summary>What a health check concluded.</summary>
internal enum HealthCheckOutcome
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
/// still in the team (<see cref="AppStoreConnectUserDirectory"/>), its roles still cover the kind in force
/// (<see cref="IntegrationRoles"/>), and the key still sees the app. A finding degrades the connection with its exact
/// cause (audit trail, owner emailed once per cause); a passing check returns a degraded connection to Active and lets
/// the features catch up. App Store Connect not answering changes nothing.
/// </summary>
internal sealed class IntegrationHealthCheck(
    IntegrationStore store,
    AppStore apps,
    AppStoreConnectCredentialStore credentials,
    AppStoreConnectUserDirectory directory,
    TeamKeyVerifier teamKeys,
    ConnectionAppStore links,
    IntegrationEventLog events,
    IntegrationDegradedEmails emails,
    IEnumerable<IIntegrationConnectionListener> listeners,
    TimeProvider clock,
    ILogger<IntegrationHealthCheck> logger)
{
    public async Task<HealthCheckOutcome> CheckAsync(
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        var row = await store.GetConnectionAsync(accountId, connectionId, cancellationToken);
        if (row is not { IsActive: true, CredentialReference: { } reference })
        {
            return HealthCheckOutcome.NotConnected;
        }
        (ConnectionProblem Cause, string Reason)? problem;
        try
        {
            problem = await FindProblemAsync(row, reference, cancellationToken);
        }
        catch (AppStoreConnectException ex) when (ex.IsTransient
            || ex.Failure is AppStoreConnectFailure.AgreementsMissing or AppStoreConnectFailure.MalformedResponse)
        {
            logger.LogWarning("Health check of {AccountId}/{ConnectionId} got no decisive answer: {Failure} {Code}",
                accountId, connectionId, ex.Failure, ex.Code);
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
            logger.LogWarning(
                "Connection of {AccountId}/{ConnectionId} degraded: {Cause}", accountId, connectionId, found.Cause);
            await events.RecordAsync(accountId, connectionId, IntegrationEventKind.Degraded, now, null, found.Reason,
                cancellationToken);
        }
        await emails.SendOnceAsync(accountId, connectionId, found.Cause, cancellationToken);
        return HealthCheckOutcome.Degraded;
    }

    private async Task RecoveredAsync(IntegrationEntity read, CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "Connection of {AccountId}/{ConnectionId} works again", read.AccountId, read.ConnectionId);
        await events.RecordAsync(
            read.AccountId, read.ConnectionId, IntegrationEventKind.Recovered, clock.GetUtcNow(), null,
            $"App Store Connect takes the connection again (was: {read.DegradedCause ?? "a refused key"}).",
            cancellationToken);
        var row = await store.GetConnectionAsync(read.AccountId, read.ConnectionId, cancellationToken);
        if (row is { IsActive: true })
        {
            foreach (var link in await links.LinkedAppsAsync(row.AccountId, row.ConnectionId, cancellationToken))
            {
                foreach (var listener in listeners)
                {
                    await listener.OnRecoveredAsync(AppConnection.Of(row, link.AppId), cancellationToken);
                }
            }
        }
    }

    /// <summary>The names of the linked apps the key no longer sees (one lookup per linked app).</summary>
    private async Task<IReadOnlyList<string>> AppsOutOfReachAsync(
        IntegrationEntity row, AppStoreConnectCredential credential, CancellationToken cancellationToken)
    {
        var unreachable = new List<string>();
        foreach (var link in await links.LinkedAppsAsync(row.AccountId, row.ConnectionId, cancellationToken))
        {
            if (!await directory.SeesAppAsync(credential, link.AscAppId, cancellationToken))
            {
                unreachable.Add((await apps.GetAsync(row.AccountId, link.AppId, cancellationToken))?.Name
                    ?? link.AscAppId);
            }
        }
        return unreachable;
    }

    private async Task<(ConnectionProblem, string)?> FindProblemAsync(
        IntegrationEntity row, string reference, CancellationToken cancellationToken)
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
        AppStoreConnectMembership? membership;
        try
        {
            if (row.MethodValue == ConnectionMethod.TeamKey)
            {
                // A team key has no user and sees every app of the team: it works, or App Store Connect refuses it.
                await teamKeys.VerifyAsync(credential, row.ActiveKindValue!.Value, cancellationToken);
                return null;
            }
            membership = await directory.FindAsync(credential, row.IntegrationEmail, cancellationToken);
            if (membership is { IsUser: true } && await AppsOutOfReachAsync(row, credential, cancellationToken)
                is { Count: > 0 } unreachable)
            {
                return (ConnectionProblem.AppAccessRemoved,
                    $"{row.IntegrationEmail} no longer has access to {string.Join(", ", unreachable)} in App Store " +
                    "Connect: in Users and Access, give it access to these apps (or to all apps), then tell " +
                    "ReviewHub you fixed it.");
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
