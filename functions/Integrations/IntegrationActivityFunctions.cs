using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Email;
using ReviewHub.Observability;

namespace ReviewHub.Integrations;

/// <summary>
/// The setup orchestration's I/O. Each activity writes only while the row still runs its attempt, so a cancel or a
/// newer confirmation always wins. Decisive answers are returned; only transient failures throw, for the retry policy.
/// </summary>
public sealed class IntegrationActivityFunctions(
    IntegrationStore store,
    AppStoreConnectCredentialStore credentials,
    AppStoreConnectUserDirectory directory,
    TeamKeyVerifier teamKeys,
    ConnectionAppLinker linker,
    IntegrationOwnerMail ownerMail,
    IEmailSender emailSender,
    IEnumerable<IIntegrationActivationListener> listeners,
    ConnectionAppStore links,
    ReviewHubMetrics metrics,
    TimeProvider clock,
    ILogger<IntegrationActivityFunctions> logger)
{
    /// <summary>Names the owner's "connected" email in lastError and in the metric.</summary>
    public const string OwnerEmailStep = "ownerEmail";

    /// <summary>The first activation step: list the apps the key sees and link the registered ones.</summary>
    public const string AppsStep = "apps";

    /// <summary>
    /// One check of App Store Connect, with the attempt's deadline as it stands after it (the time operators made the
    /// customer wait is added when their wait ends) and whether it has come, by this activity's clock.
    /// </summary>
    [Function(nameof(CheckIntegration))]
    public async Task<CheckResult> CheckIntegration([ActivityTrigger] IntegrationAttempt attempt,
        CancellationToken cancellationToken)
    {
        var result = await CheckAppStoreConnectAsync(attempt, cancellationToken);
        if (result.State is CheckState.Gone or CheckState.Verified
            || await store.GetConnectionAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken)
                is not { } row || row.AttemptId != attempt.AttemptId)
        {
            return result;
        }
        return result with { Deadline = row.Deadline, DeadlineReached = clock.GetUtcNow() >= row.Deadline };
    }

    private async Task<CheckResult> CheckAppStoreConnectAsync(IntegrationAttempt attempt,
        CancellationToken cancellationToken)
    {
        var row = await store.GetConnectionAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken);
        if (row is null || row.AttemptId != attempt.AttemptId || !row.IsInProgress)
        {
            return new CheckResult(CheckState.Gone, []);
        }
        if (row.StatusValue == IntegrationStatus.Activating)
        {
            // Verified, but the activation stopped before its last step: a re-run resumes it without asking ASC again.
            var granted = (row.GrantedRoles ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
            return new CheckResult(CheckState.Verified, granted);
        }
        if (row.CredentialReference is null)
        {
            var checkedAt = clock.GetUtcNow();
            await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
            {
                r.LastCheckedAt = checkedAt;
                if (r.CredentialReference is null) // a key registered since the read above keeps the status it set
                {
                    r.Status = nameof(IntegrationStatus.AwaitingOperator);
                    r.LastError = null;
                }
            }, cancellationToken);
            return new CheckResult(CheckState.AwaitingCredential, []);
        }

        AppStoreConnectMembership? membership;
        try
        {
            var credential = await credentials.LoadAsync(row.CredentialReference, cancellationToken);
            if (row.MethodValue == ConnectionMethod.TeamKey)
            {
                // A team key has no integration user: it is verified by what it can do (its role cannot be read).
                await teamKeys.VerifyAsync(credential, attempt.Kind, cancellationToken);
                return new CheckResult(CheckState.Verified, []);
            }
            membership = await directory.FindAsync(credential, attempt.IntegrationEmail, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            logger.LogError(ex, "The App Store Connect credential of {AccountId}/{ConnectionId} cannot be loaded",
                attempt.AccountId, attempt.ConnectionId);
            await RecordAsync(attempt,
                "The registered API key is missing from the vault; operators must register it again.",
                cancellationToken, IntegrationStatus.AwaitingOperator);
            return new CheckResult(CheckState.AwaitingCredential, []);
        }
        catch (AppStoreConnectException ex) when (!ex.IsTransient)
        {
            logger.LogWarning("Integration check of {AccountId}/{ConnectionId} refused: {Failure} {Code}",
                attempt.AccountId, attempt.ConnectionId, ex.Failure, ex.Code);
            await RecordAsync(attempt, Explain(ex), cancellationToken, observed: Observation(ex));
            return new CheckResult(CheckState.CredentialRejected, []);
        }
        catch (AppStoreConnectException ex)
        {
            // No answer: the status and the last observation stay what App Store Connect said before.
            await RecordAsync(attempt, $"App Store Connect is not answering ({ex.Failure}); ReviewHub keeps retrying.",
                cancellationToken);
            throw;
        }

        if (membership is null)
        {
            await RecordAsync(attempt,
                $"App Store Connect has no user or invitation for {attempt.IntegrationEmail}: "
                + "invite it in Users and Access.",
                cancellationToken, IntegrationStatus.InvitationPending, AppStoreConnectObservation.NotInvited);
            return new CheckResult(CheckState.NotInvited, []);
        }

        var evaluation = IntegrationRoles.Evaluate(attempt.Kind, membership.Roles);
        var now = clock.GetUtcNow();
        if (membership.IsUser && evaluation.Satisfied)
        {
            return new CheckResult(CheckState.Verified, membership.Roles);
        }
        var expired = membership.InvitationExpiresAt < now;
        await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            r.Status = membership.IsUser ? nameof(IntegrationStatus.RolesMissing)
                : nameof(IntegrationStatus.InvitationPending);
            r.MissingRoles = evaluation.Missing.Count == 0 ? null : string.Join(',', evaluation.Missing);
            r.GrantedRoles = string.Join(',', membership.Roles);
            r.LastCheckedAt = now;
            r.LastObservedAt = now;
            r.LastObservation = (membership.IsUser ? AppStoreConnectObservation.RolesMissing
                : expired ? AppStoreConnectObservation.InvitationExpired
                : AppStoreConnectObservation.InvitationPending).ToString();
            r.LastError = expired
                ? $"The invitation expired on {membership.InvitationExpiresAt:yyyy-MM-dd}: resend it in App Store " +
                    $"Connect (Users and Access)."
                : null;
        }, cancellationToken);
        return new CheckResult(membership.IsUser ? CheckState.RolesMissing : CheckState.InvitationPending,
            membership.Roles);
    }

    /// <summary>
    /// Puts the verified attempt in force (Activating: the kind is active at once) and completes whatever activation
    /// step is still undone: each listener (ingestion queues the history import and switches to hourly), then the
    /// owner's email. Each step is recorded on the row once done, so a retried activity, a later round or a re-run
    /// after a confirm resumes where the last one stopped; Active is written only after the last step. A failing step
    /// is recorded in lastError and the metric, then thrown for the retry policy.
    /// </summary>
    [Function(nameof(ActivateIntegration))]
    public async Task<ActivationResult> ActivateIntegration(
        [ActivityTrigger] Activation activation, CancellationToken cancellationToken)
    {
        var attempt = activation.Attempt;
        var now = clock.GetUtcNow();
        var row = await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            if (r.StatusValue == IntegrationStatus.Activating)
            {
                return; // resumed: in force since the first try
            }
            r.Status = nameof(IntegrationStatus.Activating);
            r.ActiveKind = r.Kind;
            r.GrantedRoles = string.Join(',', activation.GrantedRoles);
            r.MissingRoles = null;
            r.VerifiedAt = now;
            r.LastCheckedAt = now;
            r.LastError = null;
        }, cancellationToken);

        IReadOnlyList<AppConnectionLinkEntity> linked = [];
        if (row is not null)
        {
            try
            {
                // Listed on every try (not a recorded step): the listeners below need the links it returns.
                var credential = await credentials.LoadAsync(row.CredentialReference!, cancellationToken);
                linked = await linker.RefreshAsync(row, credential, cancellationToken);
                row = await store.RecordAppsListedAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
                    (await links.CatalogueAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken)).Count,
                    clock.GetUtcNow(), cancellationToken);
            }
            catch (Exception ex) when (ex is AppStoreConnectException or InvalidOperationException)
            {
                await RecordActivationFailureAsync(attempt, AppsStep, ex, cancellationToken);
                throw;
            }
        }
        foreach (var link in linked)
        {
            foreach (var listener in listeners)
            {
                // One step per app and listener, so a retry resumes at the app and step that failed.
                var step = $"{listener.ActivationStep}:{link.AppId}";
                if (row is null || row.ActivationStepList.Contains(step))
                {
                    continue;
                }
                try
                {
                    await listener.OnActivatedAsync(row.ForApp(link.AppId), cancellationToken);
                }
                catch (Exception ex)
                {
                    await RecordActivationFailureAsync(attempt, listener.ActivationStep, ex, cancellationToken);
                    throw;
                }
                row = await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
                    r => r.ActivationSteps = string.Join(',', r.ActivationStepList.Append(step).Distinct()),
                    cancellationToken);
            }
        }

        if (row is not null)
        {
            row = await EmailActivatedOwnerAsync(row, attempt, cancellationToken);
        }
        if (row is not null)
        {
            row = await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
            {
                r.Status = nameof(IntegrationStatus.Active);
                r.LastError = null;
            }, cancellationToken);
        }
        if (row is null)
        {
            return await OutcomeAsync(attempt, cancellationToken);
        }
        logger.LogInformation("Integration of {AccountId}/{ConnectionId} is active as {Kind}",
            attempt.AccountId, attempt.ConnectionId, attempt.Kind);
        return ActivationResult.Active;
    }

    /// <summary>
    /// The deadline came (by this activity's clock). When ReviewHub's operators are the ones to act, the customer is
    /// not failed: the owner is told of the delay once, operators are alerted (error log; the operators-late alert
    /// fires from <see cref="OperatorWorkFunctions"/>'s gauge), and the setup waits on. Otherwise: Failed, with the
    /// reason the owner and the SPA see.
    /// </summary>
    [Function(nameof(FailIntegration))]
    public async Task<DeadlineOutcome> FailIntegration([ActivityTrigger] IntegrationAttempt attempt,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var failed = false;
        var row = await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
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
                ? await OperatorsLateAsync(row, attempt, now, cancellationToken)
                : DeadlineOutcome.NotYet;
        }
        if (row.CredentialReference is not null
            && row.ObservationWithCurrentKey is null or AppStoreConnectObservation.KeyRefused)
        {
            // Not the customer's doing: operators look at the key, Key Vault and Apple's system status.
            logger.LogError(
                "Integration setup of {AccountId}/{ConnectionId} failed "
                + "without App Store Connect taking the key: {Reason}",
                attempt.AccountId, attempt.ConnectionId, row.FailureReason);
        }
        else
        {
            logger.LogWarning("Integration setup of {AccountId}/{ConnectionId} failed: {Reason}",
                attempt.AccountId, attempt.ConnectionId, row.FailureReason);
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
        if (claim is null || !claimed || await ComposeAsync(OwnerEmail.OperatorsLate, claim, cancellationToken)
            is not { } message)
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

    [Function(nameof(RecordIntegrationCancelled))]
    public async Task<bool> RecordIntegrationCancelled(
        [ActivityTrigger] IntegrationAttempt attempt, CancellationToken cancellationToken) =>
        await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
            r => r.Status = nameof(IntegrationStatus.Cancelled), cancellationToken) is not null;

    /// <summary>Emails the owner that roles are missing or the setup failed, if the row still says so.</summary>
    [Function(nameof(EmailIntegrationOwner))]
    public async Task<bool> EmailIntegrationOwner([ActivityTrigger] OwnerEmailRequest request,
        CancellationToken cancellationToken)
    {
        var attempt = request.Attempt;
        var row = await store.GetConnectionAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken);
        if (row is null || row.AttemptId != attempt.AttemptId
            || row.StatusValue != IntegrationEmails.StatusFor(request.Email)
            || await ComposeAsync(request.Email, row, cancellationToken) is not { } message)
        {
            return false;
        }
        try
        {
            await emailSender.SendAsync(message, cancellationToken);
            return true;
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            // Retrying a refused key or address cannot help; operators see this in the logs.
            logger.LogError(ex, "Integration email {Email} for {AccountId}/{ConnectionId} was refused", request.Email,
                attempt.AccountId, attempt.ConnectionId);
            return false;
        }
    }

    /// <summary>
    /// The "connected" email, at most once per attempt: claimed on the row before the send, settled after it. A send
    /// that certainly did not hand the message over (SendGrid answered an error, or was never reached) releases the
    /// claim and throws, so the retry sends it. A send without an answer (timeout, lost connection, crash) keeps the
    /// claim: the retry finds it, marks the email Unconfirmed and goes on, because SendGrid may have it and mail/send
    /// cannot be deduplicated.
    /// </summary>
    private async Task<IntegrationEntity?> EmailActivatedOwnerAsync(
        IntegrationEntity row, IntegrationAttempt attempt, CancellationToken cancellationToken)
    {
        switch (row.ActivationEmailValue)
        {
            case ActivationEmailState.Sending:
                logger.LogWarning(
                    "An earlier send of the activation email of {AccountId}/{ConnectionId} got no answer; "
                    + "it may have arrived and is not sent again", attempt.AccountId, attempt.ConnectionId);
                return await SettleActivationEmailAsync(attempt, ActivationEmailState.Unconfirmed, cancellationToken);
            case not null:
                return row;
        }
        var message = await ComposeAsync(OwnerEmail.Activated, row, cancellationToken);
        if (message is null)
        {
            return row; // the account is gone (being removed): nobody to tell
        }
        var claimed = false;
        var claim = await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            claimed = r.ActivationEmail is null;
            if (claimed)
            {
                r.ActivationEmail = nameof(ActivationEmailState.Sending);
            }
        }, cancellationToken);
        if (claim is null || !claimed)
        {
            return claim; // gone, or a concurrent execution of this activity claimed it
        }

        ActivationEmailState outcome;
        try
        {
            await emailSender.SendAsync(message, cancellationToken);
            outcome = ActivationEmailState.Sent;
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            logger.LogError(ex, "The activation email of {AccountId}/{ConnectionId} was refused",
                attempt.AccountId, attempt.ConnectionId);
            outcome = ActivationEmailState.Refused;
        }
        catch (Exception ex)
        {
            if (EmailDeliveryException.CertainlyNotSent(ex))
            {
                await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
                    r => r.ActivationEmail = null, cancellationToken);
            }
            await RecordActivationFailureAsync(attempt, OwnerEmailStep, ex, cancellationToken);
            throw;
        }
        return await SettleActivationEmailAsync(attempt, outcome, cancellationToken);
    }

    private Task<IntegrationEntity?> SettleActivationEmailAsync(
        IntegrationAttempt attempt, ActivationEmailState state, CancellationToken cancellationToken) =>
        store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
            r => r.ActivationEmail = state.ToString(), cancellationToken);

    /// <summary>The owner email about <paramref name="row"/>; null when the account is gone or its owner email is not
    /// confirmed.</summary>
    private Task<EmailMessage?> ComposeAsync(
        OwnerEmail email, IntegrationEntity row, CancellationToken cancellationToken) =>
        ownerMail.ComposeAsync(email, row, cancellationToken);

    /// <summary>
    /// After a write found the row no longer running the attempt: Active when an earlier or concurrent execution of the
    /// activity finished it (its answer was lost), otherwise Gone.
    /// </summary>
    private async Task<ActivationResult> OutcomeAsync(
        IntegrationAttempt attempt, CancellationToken cancellationToken) =>
        await store.GetConnectionAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken)
            is { StatusValue: IntegrationStatus.Active } row && row.AttemptId == attempt.AttemptId
            ? ActivationResult.Active
            : ActivationResult.Gone;

    /// <summary>A failed activation step shows in lastError, the metric and the logs; the policy retries it.</summary>
    private async Task RecordActivationFailureAsync(
        IntegrationAttempt attempt, string step, Exception ex, CancellationToken cancellationToken)
    {
        metrics.IntegrationActivationFailed(step);
        logger.LogError(ex, "Activation step {Step} of {AccountId}/{ConnectionId} failed",
            step, attempt.AccountId, attempt.ConnectionId);
        await RecordAsync(attempt, $"Finishing the activation failed at step '{step}'; ReviewHub retries it.",
            cancellationToken);
    }

    /// <summary>
    /// Records a check (or a failure) on the row: <paramref name="status"/> null keeps the current status (never a
    /// stale copy of it); <paramref name="observed"/> is what App Store Connect answered, null when it did not answer.
    /// </summary>
    private Task RecordAsync(
        IntegrationAttempt attempt, string? lastError, CancellationToken cancellationToken,
        IntegrationStatus? status = null, AppStoreConnectObservation? observed = null)
    {
        var now = clock.GetUtcNow();
        return store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            if (status is { } newStatus)
            {
                r.Status = newStatus.ToString();
            }
            if (observed is { } observation)
            {
                r.LastObservation = observation.ToString();
                r.LastObservedAt = now;
            }
            r.LastError = lastError;
            r.LastCheckedAt = now;
        }, cancellationToken);
    }

    private static string Explain(AppStoreConnectException ex) => ex.Failure switch
    {
        AppStoreConnectFailure.Forbidden =>
            "The registered API key may not list users and invitations (403); operators must register a key with the " +
                "Admin role.",
        AppStoreConnectFailure.NotAuthorized =>
            "App Store Connect rejected the registered API key (401); operators must register a valid key.",
        AppStoreConnectFailure.AgreementsMissing =>
            "The Account Holder must accept Apple's latest agreements in App Store Connect (Business) before the API " +
                "can be used.",
        _ => $"App Store Connect could not answer the check ({ex.Failure}).",
    };

    private static AppStoreConnectObservation? Observation(AppStoreConnectException ex) => ex.Failure switch
    {
        AppStoreConnectFailure.Forbidden or AppStoreConnectFailure.NotAuthorized =>
            AppStoreConnectObservation.KeyRefused,
        AppStoreConnectFailure.AgreementsMissing => AppStoreConnectObservation.AgreementsMissing,
        _ => null,
    };

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
