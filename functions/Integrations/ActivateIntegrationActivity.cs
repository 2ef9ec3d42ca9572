using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Email;
using ReviewHub.Observability;

namespace ReviewHub.Integrations;

/// <summary>
/// Puts the verified attempt in force (Activating: the kind is active at once) and completes whatever activation step
/// is still undone: the apps the key sees, each listener per app (ingestion queues the history import and switches to
/// hourly), then the owner's email. Each step is recorded on the row once done, so a retried activity, a later round
/// or a re-run after a confirm resumes where the last one stopped; Active is written only after the last step. A
/// failing step is recorded in lastError and the metric, then thrown for the retry policy.
/// </summary>
internal sealed class ActivateIntegrationActivity(
    IntegrationStore store,
    AppStoreConnectCredentialStore credentials,
    ConnectionAppLinker linker,
    ConnectionAppStore links,
    IEnumerable<IIntegrationActivationListener> listeners,
    IntegrationOwnerMail ownerMail,
    IEmailSender emailSender,
    ReviewHubMetrics metrics,
    TimeProvider clock,
    ILogger<ActivateIntegrationActivity> logger) : TaskActivity<Activation, ActivationResult>
{
    /// <summary>Names the owner's "connected" email in lastError and in the metric.</summary>
    public const string OwnerEmailStep = "ownerEmail";

    /// <summary>The first activation step: list the apps the key sees and link the registered ones.</summary>
    public const string AppsStep = "apps";

    public override Task<ActivationResult> RunAsync(TaskActivityContext context, Activation input) =>
        ExecuteAsync(input, CancellationToken.None);

    public async Task<ActivationResult> ExecuteAsync(Activation input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var attempt = input.Attempt;
        var row = await PutInForceAsync(input, cancellationToken);
        IReadOnlyList<AppConnectionLinkEntity> linked = [];
        if (row is not null)
        {
            var apps = await LinkAppsAsync(row, attempt, cancellationToken);
            (row, linked) = (apps.Row, apps.Linked);
        }
        if (row is not null)
        {
            row = await NotifyListenersAsync(row, attempt, linked, cancellationToken);
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

    /// <summary>Activating, with the verified roles; a resumed activation is in force since its first try.</summary>
    private Task<IntegrationEntity?> PutInForceAsync(Activation activation, CancellationToken cancellationToken)
    {
        var attempt = activation.Attempt;
        var now = clock.GetUtcNow();
        return store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            if (r.StatusValue == IntegrationStatus.Activating)
            {
                return;
            }
            r.Status = nameof(IntegrationStatus.Activating);
            r.ActiveKind = r.Kind;
            r.GrantedRoles = string.Join(',', activation.GrantedRoles);
            r.MissingRoles = null;
            r.VerifiedAt = now;
            r.LastCheckedAt = now;
            r.LastError = null;
        }, cancellationToken);
    }

    /// <summary>
    /// Lists the apps the key sees and links the registered ones. Done on every try (not a recorded step): the
    /// listeners need the links it returns.
    /// </summary>
    private async Task<(IntegrationEntity? Row, IReadOnlyList<AppConnectionLinkEntity> Linked)> LinkAppsAsync(
        IntegrationEntity row, IntegrationAttempt attempt, CancellationToken cancellationToken)
    {
        try
        {
            var credential = await credentials.LoadAsync(row.CredentialReference!, cancellationToken);
            var linked = await linker.RefreshAsync(row, credential, cancellationToken);
            var listed = await store.RecordAppsListedAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
                (await links.CatalogueAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken)).Count,
                clock.GetUtcNow(), cancellationToken);
            return (listed, linked);
        }
        catch (Exception ex) when (ex is AppStoreConnectException or InvalidOperationException)
        {
            await RecordFailureAsync(attempt, AppsStep, ex, cancellationToken);
            throw;
        }
    }

    /// <summary>One step per app and listener, so a retry resumes at the app and step that failed.</summary>
    private async Task<IntegrationEntity?> NotifyListenersAsync(IntegrationEntity row, IntegrationAttempt attempt,
        IReadOnlyList<AppConnectionLinkEntity> linked, CancellationToken cancellationToken)
    {
        IntegrationEntity? current = row;
        foreach (var link in linked)
        {
            foreach (var listener in listeners)
            {
                var step = $"{listener.ActivationStep}:{link.AppId}";
                if (current is null)
                {
                    return null;
                }
                if (current.ActivationStepList.Contains(step))
                {
                    continue;
                }
                try
                {
                    await listener.OnActivatedAsync(AppConnection.Of(current, link.AppId), cancellationToken);
                }
                catch (Exception ex)
                {
                    await RecordFailureAsync(attempt, listener.ActivationStep, ex, cancellationToken);
                    throw;
                }
                current = await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
                    r => r.ActivationSteps = string.Join(',', r.ActivationStepList.Append(step).Distinct()),
                    cancellationToken);
            }
        }
        return current;
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
        var message = await ownerMail.ComposeAsync(OwnerEmail.Activated, row, cancellationToken);
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
            await RecordFailureAsync(attempt, OwnerEmailStep, ex, cancellationToken);
            throw;
        }
        return await SettleActivationEmailAsync(attempt, outcome, cancellationToken);
    }

    private Task<IntegrationEntity?> SettleActivationEmailAsync(
        IntegrationAttempt attempt, ActivationEmailState state, CancellationToken cancellationToken) =>
        store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId,
            r => r.ActivationEmail = state.ToString(), cancellationToken);

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
    private async Task RecordFailureAsync(
        IntegrationAttempt attempt, string step, Exception ex, CancellationToken cancellationToken)
    {
        metrics.IntegrationActivationFailed(step);
        logger.LogError(ex, "Activation step {Step} of {AccountId}/{ConnectionId} failed",
            step, attempt.AccountId, attempt.ConnectionId);
        await store.RecordCheckAsync(attempt,
            $"Finishing the activation failed at step '{step}'; ReviewHub retries it.", clock.GetUtcNow(),
            cancellationToken);
    }
}
