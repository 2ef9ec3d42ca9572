using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Http;

namespace ReviewHub.Integrations;

/// <summary>
/// Begins a connection's setup, both ways: "I've invited" (operators register the integration user's key later) and
/// the customer's team key (verified at once, without side effects); and registers a key, resuming a waiting setup.
/// Answers with the connection as it stands, or the problem that answers the request instead.
/// </summary>
internal sealed class ConnectionSetup(
    IntegrationStore store,
    AppStoreConnectCredentialStore credentials,
    TeamKeyVerifier teamKeys,
    WorkingDayCalendar calendar,
    IntegrationSetupLauncher launcher,
    IOptions<IntegrationOptions> options,
    TimeProvider clock,
    ILogger<ConnectionSetup> logger)
{
    /// <summary>
    /// "I've invited" (once for the whole team): records the confirmation and its deadline, then starts (or finds)
    /// the connection's setup orchestration. Confirming the same team again retries or upgrades the kind.
    /// </summary>
    public async Task<Checked<IntegrationEntity>> ConfirmAsync(string accountId, ConfirmIntegrationRequest request,
        DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var begun = await BeginAsync(accountId, request.Team!, request.KindValue, cancellationToken);
        if (!begun.TryGet(out var row, out var problem))
        {
            return Checked.Failed<IntegrationEntity>(problem);
        }
        // Also for a setup already in progress: starting is deduplicated, and it repairs a start lost after the row was
        // written.
        await launcher.EnsureStartedAsync(client, row, cancellationToken);
        return Checked.Passed(row);
    }

    /// <summary>
    /// Connects without operators: the customer's team key is verified at once without side effects (it signs, lists
    /// the apps, reads reviews), then stored in the vault; the same setup then activates the same connection.
    /// Nothing is written when the key fails (422 with the reason, 503 when App Store Connect did not answer).
    /// </summary>
    public async Task<Checked<IntegrationEntity>> ConnectWithTeamKeyAsync(string accountId, TeamKeyRequest request,
        DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var credential = request.Key.ToCredential();
        try
        {
            await teamKeys.VerifyAsync(credential, request.KindValue, cancellationToken);
        }
        catch (AppStoreConnectException ex) when (!ex.IsTransient)
        {
            logger.LogInformation("Team key {KeyId} for {AccountId} refused by App Store Connect: {Failure} {Code}",
                credential.KeyId, accountId, ex.Failure, ex.Code);
            return Checked.Failed<IntegrationEntity>(Problems.Create(StatusCodes.Status422UnprocessableEntity,
                "App Store Connect refused the key.", TeamKeyRefusal(ex, request.KindValue)));
        }
        catch (AppStoreConnectException ex)
        {
            return Checked.Failed<IntegrationEntity>(Problems.Unavailable(
                $"App Store Connect did not answer ({ex.Failure}); nothing was saved. Try again in a few minutes."));
        }

        var begun = await BeginAsync(accountId, request.Team!, request.KindValue, cancellationToken,
            allowActive: true);
        if (!begun.TryGet(out var row, out var problem))
        {
            return Checked.Failed<IntegrationEntity>(problem);
        }
        await RegisterKeyAsync(row, credential, ConnectionMethod.TeamKey, client, cancellationToken);
        var now = (await store.GetConnectionAsync(accountId, row.ConnectionId, cancellationToken))!;
        if (now.IsInProgress)
        {
            await launcher.EnsureStartedAsync(client, now, cancellationToken);
        }
        return Checked.Passed(now);
    }

    /// <summary>
    /// Stores the key under the connection's secret name, records it, and resumes a waiting setup at once. The key
    /// is logged by its id only.
    /// </summary>
    public async Task RegisterKeyAsync(IntegrationEntity existing, AppStoreConnectCredential credential,
        ConnectionMethod method, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(client);
        var (accountId, connectionId) = (existing.AccountId, existing.ConnectionId);
        var reference = await credentials.SaveAsync(
            IntegrationCredentials.SecretName(accountId, connectionId), credential, cancellationToken);
        var registeredAt = clock.GetUtcNow();
        await store.SetCredentialAsync(accountId, connectionId, reference, registeredAt, cancellationToken, method);
        logger.LogInformation("App Store Connect key {KeyId} ({Method}) registered for {AccountId}/{ConnectionId}",
            credential.KeyId, method, accountId, connectionId);
        if (existing.IsInProgress)
        {
            await store.UpdateAttemptAsync(accountId, connectionId, existing.AttemptId!, r =>
            {
                if (r.StatusValue == IntegrationStatus.AwaitingOperator)
                {
                    r.Status = nameof(IntegrationStatus.Verifying);
                    r.LastError = null;
                }
            }, cancellationToken);
            await client.RaiseEventAsync(existing.InstanceId!, CredentialRegisteredEvent.Name,
                new CredentialRegisteredEvent(method, registeredAt), cancellationToken);
        }
    }

    private async Task<Checked<IntegrationEntity>> BeginAsync(
        string accountId, string team, IntegrationKind kind, CancellationToken cancellationToken,
        bool allowActive = false)
    {
        var settings = options.Value;
        var confirmedAt = clock.GetUtcNow();
        var (outcome, row) = await store.BeginAttemptAsync(accountId, team, kind,
            settings.IntegrationEmailFor(accountId), confirmedAt,
            calendar.AddWorkingDays(confirmedAt, settings.WorkingDays), cancellationToken);
        if (outcome == ConfirmOutcome.AlreadyActive && !allowActive)
        {
            return Checked.Failed<IntegrationEntity>(Problems.Conflict(
                $"The {IntegrationRoles.For(kind).Title} connection of {row.Team} is already active."));
        }
        if (outcome == ConfirmOutcome.InProgress && row.KindValue != kind)
        {
            return Checked.Failed<IntegrationEntity>(Problems.Conflict(
                $"A {IntegrationRoles.For(row.KindValue).Title} setup of {row.Team} is in progress; cancel it "
                + "before confirming another kind."));
        }
        if (outcome == ConfirmOutcome.Started)
        {
            logger.LogInformation("Connection {Kind} confirmed for {AccountId}/{ConnectionId}, deadline {Deadline}",
                kind, accountId, row.ConnectionId, row.Deadline);
        }
        return Checked.Passed(row);
    }

    private static string TeamKeyRefusal(AppStoreConnectException ex, IntegrationKind kind) => ex.Failure switch
    {
        AppStoreConnectFailure.NotAuthorized => "The key does not sign in (401): check the issuer id, the key id " +
            "and the .p8 file, and that the key is active in Users and Access → Integrations → Team Keys.",
        AppStoreConnectFailure.Forbidden => $"The key's role cannot read what the connection needs (403 {ex.Code}): " +
            $"create a team key with {IntegrationRoles.Describe(IntegrationRoles.For(kind))}.",
        AppStoreConnectFailure.AgreementsMissing => "The Account Holder must accept Apple's latest agreements in " +
            "App Store Connect (Business) before the API can be used.",
        _ => $"App Store Connect refused the key ({ex.Failure} {ex.Code}).",
    };
}
