using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using ReviewHub.Email;

namespace ReviewHub.Integrations;

/// <summary>
/// The deadline came (by this activity's clock). When ReviewHub's operators are the ones to act, the customer is not
/// failed: the owner is told of the delay once, operators are alerted (error log; the operators-late alert fires from
/// <see cref="OperatorWorkFunctions"/>'s gauge), and the setup waits on. Otherwise: Failed, with the reason the owner
/// and the SPA see.
/// </summary>
internal sealed class FailIntegrationActivity(
    IntegrationStore store,
    IntegrationOwnerMail ownerMail,
    IEmailSender emailSender,
    TimeProvider clock,
    ILogger<FailIntegrationActivity> logger) : TaskActivity<IntegrationAttempt, DeadlineOutcome>
{
    public override Task<DeadlineOutcome> RunAsync(TaskActivityContext context, IntegrationAttempt input) =>
        ExecuteAsync(input, CancellationToken.None);

    public async Task<DeadlineOutcome> ExecuteAsync(IntegrationAttempt input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow();
        var failed = false;
        var row = await store.UpdateAttemptAsync(input.AccountId, input.ConnectionId, input.AttemptId, r =>
        {
            if (ConnectionActors.WaitsOnOperators(r) || now < r.Deadline)
            {
                return;
            }
            r.FailureReason = FailureReason(r);
            r.Status = nameof(IntegrationStatus.Failed);
            failed = true;
        }, cancellationToken);
        if (row is null)
        {
            return DeadlineOutcome.Gone;
        }
        if (!failed)
        {
            return ConnectionActors.WaitsOnOperators(row) && now >= row.Deadline
                ? await OperatorsLateAsync(row, input, now, cancellationToken)
                : DeadlineOutcome.NotYet;
        }
        if (row.CredentialReference is not null
            && row.ObservationWithCurrentKey is null or AppStoreConnectObservation.KeyRefused)
        {
            // Not the customer's doing: operators look at the key, Key Vault and Apple's system status.
            logger.LogError(
                "Integration setup of {AccountId}/{ConnectionId} failed "
                + "without App Store Connect taking the key: {Reason}",
                input.AccountId, input.ConnectionId, row.FailureReason);
        }
        else
        {
            logger.LogWarning("Integration setup of {AccountId}/{ConnectionId} failed: {Reason}",
                input.AccountId, input.ConnectionId, row.FailureReason);
        }
        return DeadlineOutcome.Failed;
    }

    /// <summary>
    /// Operators are late: the owner hears of it once per attempt (claimed on the row before the send, given back
    /// only after a send that certainly failed, like the degraded email), and operators are alerted by an error log.
    /// </summary>
    private async Task<DeadlineOutcome> OperatorsLateAsync(
        IntegrationEntity row, IntegrationAttempt attempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (row.OperatorDelayToldAt is not null)
        {
            return DeadlineOutcome.OperatorsLate;
        }
        logger.LogError(
            "ReviewHub's operators are late for {AccountId}/{ConnectionId}: waiting on them since {Since}, the " +
            "customer's deadline {Deadline} passed (the setup is not failed)", attempt.AccountId,
            attempt.ConnectionId, row.OperatorsWaitingSince, row.Deadline);
        var claimed = false;
        var claim = await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            claimed = r.OperatorDelayToldAt is null;
            r.OperatorDelayToldAt ??= now;
        }, cancellationToken);
        if (claim is null || !claimed
            || await ownerMail.ComposeAsync(OwnerEmail.OperatorsLate, claim, cancellationToken) is not { } message)
        {
            return claim is null ? DeadlineOutcome.Gone : DeadlineOutcome.OperatorsLate;
        }
        try
        {
            await emailSender.SendAsync(message, cancellationToken);
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            logger.LogError(ex, "The operators-late email of {AccountId}/{ConnectionId} was refused",
                attempt.AccountId, attempt.ConnectionId);
        }
        catch (Exception ex) when (EmailDeliveryException.CertainlyNotSent(ex))
        {
            await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
                r => r.OperatorDelayToldAt = null, cancellationToken);
            throw;
        }
        return DeadlineOutcome.OperatorsLate;
    }

    /// <summary>
    /// Why the attempt failed, from what App Store Connect last answered, never from the error of the last check
    /// alone. When checks went unanswered after that answer, the reason says so: the customer may have fixed it since.
    /// </summary>
    private static string FailureReason(IntegrationEntity row)
    {
        var email = row.IntegrationEmail;
        if (row.ObservationWithCurrentKey is not { } observed)
        {
            if (row.CredentialReference is null)
            {
                return $"The invitation of {email} was never accepted.";
            }
            var since = row.CredentialRegisteredAt > row.ConfirmedAt
                ? row.CredentialRegisteredAt.Value
                : row.ConfirmedAt;
            return $"App Store Connect could not be reached since {since.UtcDateTime:yyyy-MM-dd HH:mm} UTC, "
                + $"so the roles of {email} could not be verified. Nothing points to a problem on your side: this is "
                + "usually an outage at Apple (see Apple's System Status page). Confirm again once App Store Connect "
                + "works to start a new attempt.";
        }
        var reason = observed switch
        {
            AppStoreConnectObservation.RolesMissing =>
                $"Roles still missing: {IntegrationEmails.RoleNames(row.MissingRoles)}.",
            AppStoreConnectObservation.InvitationPending => $"The invitation of {email} was never accepted.",
            AppStoreConnectObservation.InvitationExpired =>
                $"The invitation of {email} expired before it was accepted; send a new one.",
            AppStoreConnectObservation.NotInvited =>
                $"App Store Connect has no user or invitation for {email}; invite it in Users and Access.",
            AppStoreConnectObservation.NoInvitationReceived =>
                $"ReviewHub's operators received no invitation of {email} from {row.Team}; invite it in Users and " +
                "Access, then confirm again.",
            AppStoreConnectObservation.AgreementsMissing =>
                "The Account Holder has not accepted Apple's latest agreements in "
                + "App Store Connect (Business), so the API could not be used.",
            _ => $"App Store Connect refused the API key ReviewHub registered for {email}, so its roles could not "
                + "be verified; confirm again once ReviewHub's operators registered a new key (reply to ask).",
        };
        return row.LastCheckedAt > row.LastObservedAt
            ? $"{reason} App Store Connect did not answer after "
                + $"{row.LastObservedAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC, "
                + "so a later change may not have been seen."
            : reason;
    }
}
