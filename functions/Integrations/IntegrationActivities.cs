using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Email;

namespace ReviewHub.Integrations;

/// <summary>
/// The setup orchestration's I/O. Each activity writes only while the row still runs its attempt, so a cancel or a newer
/// confirmation always wins. Decisive answers are returned; only transient failures throw, for the retry policy.
/// </summary>
public sealed class IntegrationActivities(
    IntegrationStore store,
    AppStoreConnectCredentialStore credentials,
    AscUserDirectory directory,
    AccountStore accounts,
    EmailConfirmationStore confirmations,
    AppStore apps,
    IEmailSender emailSender,
    IEnumerable<IIntegrationActivationListener> listeners,
    IOptions<IntegrationOptions> options,
    TimeProvider clock,
    ILogger<IntegrationActivities> logger)
{
    [Function(nameof(CheckIntegration))]
    public async Task<CheckResult> CheckIntegration([ActivityTrigger] IntegrationAttempt attempt, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(attempt.AccountId, attempt.AppId, cancellationToken);
        if (row is null || row.AttemptId != attempt.AttemptId || !row.IsInProgress)
        {
            return new CheckResult(CheckState.Gone, []);
        }
        if (row.CredentialReference is null)
        {
            await RecordAsync(attempt, IntegrationStatus.AwaitingOperator, lastError: null, cancellationToken);
            return new CheckResult(CheckState.AwaitingCredential, []);
        }

        AscMembership? membership;
        try
        {
            var credential = await credentials.LoadAsync(row.CredentialReference, cancellationToken);
            membership = await directory.FindAsync(credential, attempt.IntegrationEmail, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            logger.LogError(ex, "The App Store Connect credential of {AccountId}/{AppId} cannot be loaded", attempt.AccountId, attempt.AppId);
            await RecordAsync(attempt, IntegrationStatus.AwaitingOperator, "The registered API key is missing from the vault; operators must register it again.", cancellationToken);
            return new CheckResult(CheckState.AwaitingCredential, []);
        }
        catch (AppStoreConnectException ex) when (!ex.IsTransient)
        {
            logger.LogWarning("Integration check of {AccountId}/{AppId} refused: {Failure} {Code}", attempt.AccountId, attempt.AppId, ex.Failure, ex.Code);
            await RecordAsync(attempt, row.StatusValue, Explain(ex), cancellationToken);
            return new CheckResult(CheckState.CredentialRejected, []);
        }
        catch (AppStoreConnectException ex)
        {
            await RecordAsync(attempt, row.StatusValue, $"App Store Connect is not answering ({ex.Failure}); ReviewHub keeps retrying.", cancellationToken);
            throw;
        }

        if (membership is null)
        {
            await RecordAsync(attempt, IntegrationStatus.InvitationPending,
                $"App Store Connect has no user or invitation for {attempt.IntegrationEmail}: invite it in Users and Access.", cancellationToken);
            return new CheckResult(CheckState.NotInvited, []);
        }

        var evaluation = IntegrationRoles.Evaluate(attempt.Kind, membership.Roles);
        var now = clock.GetUtcNow();
        if (membership.IsUser && evaluation.Satisfied)
        {
            return new CheckResult(CheckState.Verified, membership.Roles);
        }
        var expired = membership.InvitationExpiresAt < now;
        await store.UpdateAttemptAsync(attempt.AccountId, attempt.AppId, attempt.AttemptId, r =>
        {
            r.Status = membership.IsUser ? nameof(IntegrationStatus.RolesMissing) : nameof(IntegrationStatus.InvitationPending);
            r.MissingRoles = evaluation.Missing.Count == 0 ? null : string.Join(',', evaluation.Missing);
            r.GrantedRoles = string.Join(',', membership.Roles);
            r.LastCheckedAt = now;
            r.LastError = expired
                ? $"The invitation expired on {membership.InvitationExpiresAt:yyyy-MM-dd}: resend it in App Store Connect (Users and Access)."
                : null;
        }, cancellationToken);
        return new CheckResult(membership.IsUser ? CheckState.RolesMissing : CheckState.InvitationPending, membership.Roles);
    }

    /// <summary>Marks the attempt Active and tells every listener (ingestion switches to hourly). Safe to repeat.</summary>
    [Function(nameof(ActivateIntegration))]
    public async Task<bool> ActivateIntegration([ActivityTrigger] Activation activation, CancellationToken cancellationToken)
    {
        var attempt = activation.Attempt;
        var now = clock.GetUtcNow();
        var row = await store.UpdateAttemptAsync(attempt.AccountId, attempt.AppId, attempt.AttemptId, r =>
        {
            r.Status = nameof(IntegrationStatus.Active);
            r.ActiveKind = r.Kind;
            r.GrantedRoles = string.Join(',', activation.GrantedRoles);
            r.MissingRoles = null;
            r.VerifiedAt = now;
            r.LastCheckedAt = now;
            r.LastError = null;
        }, cancellationToken);
        // A retry after a listener failed finds the row already active for this attempt.
        row ??= await store.GetAsync(attempt.AccountId, attempt.AppId, cancellationToken) is { StatusValue: IntegrationStatus.Active } active && active.AttemptId == attempt.AttemptId
            ? active : null;
        if (row is null)
        {
            return false;
        }
        foreach (var listener in listeners)
        {
            await listener.OnActivatedAsync(row, cancellationToken);
        }
        logger.LogInformation("Integration of {AccountId}/{AppId} is active as {Kind}", attempt.AccountId, attempt.AppId, attempt.Kind);
        return true;
    }

    /// <summary>Deadline passed: Failed, with the reason the owner and the SPA see.</summary>
    [Function(nameof(FailIntegration))]
    public async Task<bool> FailIntegration([ActivityTrigger] IntegrationAttempt attempt, CancellationToken cancellationToken)
    {
        var row = await store.UpdateAttemptAsync(attempt.AccountId, attempt.AppId, attempt.AttemptId, r =>
        {
            r.FailureReason = FailureReason(r);
            r.Status = nameof(IntegrationStatus.Failed);
        }, cancellationToken);
        if (row is not null)
        {
            logger.LogWarning("Integration setup of {AccountId}/{AppId} failed: {Reason}", attempt.AccountId, attempt.AppId, row.FailureReason);
        }
        return row is not null;
    }

    [Function(nameof(RecordIntegrationCancelled))]
    public async Task<bool> RecordIntegrationCancelled([ActivityTrigger] IntegrationAttempt attempt, CancellationToken cancellationToken) =>
        await store.UpdateAttemptAsync(attempt.AccountId, attempt.AppId, attempt.AttemptId,
            r => r.Status = nameof(IntegrationStatus.Cancelled), cancellationToken) is not null;

    /// <summary>Emails the account owner about the attempt, if it is still in the state the email describes.</summary>
    [Function(nameof(EmailIntegrationOwner))]
    public async Task<bool> EmailIntegrationOwner([ActivityTrigger] OwnerEmailRequest request, CancellationToken cancellationToken)
    {
        var attempt = request.Attempt;
        var row = await store.GetAsync(attempt.AccountId, attempt.AppId, cancellationToken);
        var account = await accounts.GetAsync(attempt.AccountId, cancellationToken);
        if (row is null || account is null || row.AttemptId != attempt.AttemptId || row.StatusValue != IntegrationEmails.StatusFor(request.Email))
        {
            return false;
        }
        if (!await confirmations.IsConfirmedAsync(account.AccountId, account.OwnerEmail, cancellationToken))
        {
            // The status endpoint shows the same news; an owner email nobody confirmed gets nothing.
            logger.LogInformation(
                "Integration email {Email} for {AccountId}/{AppId} not sent: the owner email is not confirmed",
                request.Email, attempt.AccountId, attempt.AppId);
            return false;
        }
        var app = await apps.GetAsync(attempt.AccountId, attempt.AppId, cancellationToken);
        var message = IntegrationEmails.Compose(request.Email, row, app?.Name ?? "your app", account.OwnerEmail, options.Value);
        try
        {
            await emailSender.SendAsync(message, cancellationToken);
            return true;
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            // Retrying a refused key or address cannot help; operators see this in the logs.
            logger.LogError(ex, "Integration email {Email} for {AccountId}/{AppId} was refused", request.Email, attempt.AccountId, attempt.AppId);
            return false;
        }
    }

    private Task RecordAsync(IntegrationAttempt attempt, IntegrationStatus status, string? lastError, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return store.UpdateAttemptAsync(attempt.AccountId, attempt.AppId, attempt.AttemptId, r =>
        {
            r.Status = status.ToString();
            r.LastError = lastError;
            r.LastCheckedAt = now;
        }, cancellationToken);
    }

    private static string Explain(AppStoreConnectException ex) => ex.Failure switch
    {
        AppStoreConnectFailure.Forbidden =>
            "The registered API key may not list users and invitations (403); operators must register a key with the Admin role.",
        AppStoreConnectFailure.NotAuthorized => "App Store Connect rejected the registered API key (401); operators must register a valid key.",
        AppStoreConnectFailure.AgreementsMissing =>
            "The Account Holder must accept Apple's latest agreements in App Store Connect (Business) before the API can be used.",
        _ => $"App Store Connect could not answer the check ({ex.Failure}).",
    };

    private static string FailureReason(IntegrationEntity row) => row.StatusValue switch
    {
        IntegrationStatus.RolesMissing => $"Roles still missing: {IntegrationEmails.RoleNames(row.MissingRoles)}.",
        IntegrationStatus.AwaitingOperator or IntegrationStatus.InvitationPending when row.LastError is null =>
            $"The invitation of {row.IntegrationEmail} was never accepted.",
        IntegrationStatus.AwaitingOperator or IntegrationStatus.InvitationPending =>
            $"The invitation of {row.IntegrationEmail} was never accepted: {row.LastError}",
        _ => $"The roles could not be verified: {row.LastError ?? "App Store Connect did not answer"}",
    };
}
