using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Integrations;

/// <summary>
/// The orchestration's input: one confirmed attempt, with the timings it runs on (tests pass milliseconds). After
/// <see cref="RoundsPerExecution"/> quiet polls the orchestration continues as new with this input, so its history
/// stays small. An activation still incomplete after <see cref="ActivationRounds"/> rounds (one poll interval apart,
/// each with the activity retry policy) fails the orchestration.
/// </summary>
public sealed record IntegrationAttempt(
    string AccountId, string ConnectionId, string AttemptId, IntegrationKind Kind, string IntegrationEmail,
    DateTimeOffset Deadline,
    TimeSpan PollInterval, int ActivityMaxAttempts, TimeSpan ActivityFirstRetryInterval,
    bool OwnerToldOfMissingRoles = false, int RoundsPerExecution = 24, int ActivationRounds = 12);

/// <summary>What one check of App Store Connect found.</summary>
public enum CheckState
{
    /// <summary>The row no longer runs this attempt (cancelled, re-confirmed, app removed): stop.</summary>
    Gone,
    AwaitingCredential,
    /// <summary>The key works but the team has neither a user nor an invitation for the integration email.</summary>
    NotInvited,
    InvitationPending,
    RolesMissing,
    Verified,
    /// <summary>App Store Connect refused the registered key (401/403): operators must register another one.</summary>
    CredentialRejected,
}

/// <summary>
/// What one check found, with the attempt's deadline as it stands (null when the row was not read) and whether it has
/// come by the activities' clock.
/// </summary>
public sealed record CheckResult(CheckState State, IReadOnlyList<string> GrantedRoles,
    DateTimeOffset? Deadline = null, bool DeadlineReached = false);

/// <summary>What the deadline activity did.</summary>
public enum DeadlineOutcome
{
    /// <summary>Not yet (the deadline moved on, or the clock says it has not come).</summary>
    NotYet,
    /// <summary>The customer had the time: Failed with the reason.</summary>
    Failed,
    /// <summary>The setup waits on ReviewHub's operators: not failed; the owner was told once, operators
    /// alerted.</summary>
    OperatorsLate,
    /// <summary>The row no longer runs this attempt.</summary>
    Gone,
}

public enum OwnerEmail { RolesMissing, Activated, Failed, Degraded, OperatorsLate, NoInvitation }

/// <summary>What one try of the activation achieved; Incomplete (a step failed after retries) is the default.</summary>
public enum ActivationResult { Incomplete, Active, Gone }

/// <summary>An activation kept failing through all its rounds: the orchestration fails (operators' alert).</summary>
public sealed class IntegrationActivationException(string message) : Exception(message);

public sealed record OwnerEmailRequest(IntegrationAttempt Attempt, OwnerEmail Email);

public sealed record Activation(IntegrationAttempt Attempt, IReadOnlyList<string> GrantedRoles);

/// <summary>
/// Waits up to the attempt's deadline for the integration to be verified: checks App Store Connect at once, then again
/// every poll interval and immediately when operators register the credential or the customer says the roles were
/// updated. Deterministic: all I/O is in <see cref="IntegrationActivityFunctions"/>; time comes from the context; no
/// event wait is ever cancelled (a cancelled wait could swallow a later event of the same name), only timers are.
/// </summary>
public static class IntegrationSetupFunctions
{
    public const string CredentialRegisteredEvent = "CredentialRegistered";
    public const string RolesUpdatedEvent = "RolesUpdated";
    public const string CancelEvent = "Cancel";

    /// <summary>One instance per app (ids are 32 hex characters, so this stays under Durable's 100-character
    /// limit).</summary>
    public static string InstanceIdFor(string accountId, string connectionId) =>
        $"integration-{accountId}-{connectionId}";

    [Function(nameof(IntegrationSetup))]
    public static Task<string> IntegrationSetup([OrchestrationTrigger] TaskOrchestrationContext context) =>
        RunAsync(context, context.GetInput<IntegrationAttempt>()
            ?? throw new InvalidOperationException("The integration setup orchestration needs its attempt as input."));

    public static async Task<string> RunAsync(TaskOrchestrationContext context, IntegrationAttempt attempt)
    {
        var logger = context.CreateReplaySafeLogger(nameof(IntegrationSetup));
        // Every failure that escapes an activity is transient by design (decisive answers are returned, not thrown).
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
            attempt.ActivityMaxAttempts, attempt.ActivityFirstRetryInterval, backoffCoefficient: 2,
            maxRetryInterval: attempt.ActivityFirstRetryInterval * 32));
        var deadline = attempt.Deadline.UtcDateTime;
        var cancel = context.WaitForExternalEvent<bool>(CancelEvent);
        var credentialRegistered = context.WaitForExternalEvent<bool>(CredentialRegisteredEvent);
        var rolesUpdated = context.WaitForExternalEvent<bool>(RolesUpdatedEvent);
        var ownerToldOfMissingRoles = attempt.OwnerToldOfMissingRoles;
        var rounds = 0;

        while (true)
        {
            var check = await TryCallAsync<CheckResult>(context, nameof(IntegrationActivityFunctions.CheckIntegration),
                attempt, retry, logger);
            switch (check?.State)
            {
                case CheckState.Gone:
                    return CheckState.Gone.ToString();
                case CheckState.Verified:
                    return await ActivateAsync(context, new Activation(attempt, check.GrantedRoles), retry, logger);
                case CheckState.RolesMissing when !ownerToldOfMissingRoles:
                    ownerToldOfMissingRoles = await EmailOwnerAsync(context, attempt, OwnerEmail.RolesMissing, retry,
                        logger);
                    break;
            }

            // The row's deadline moves on by the time operators made the customer wait; the activities' clock says
            // whether it came (the orchestration's own time is only a fallback when the check did not answer).
            deadline = check?.Deadline?.UtcDateTime ?? deadline;
            var now = context.CurrentUtcDateTime;
            if (check?.DeadlineReached == true || (check is null && now >= deadline))
            {
                switch (await TryCallAsync<DeadlineOutcome>(
                    context, nameof(IntegrationActivityFunctions.FailIntegration), attempt, retry, logger))
                {
                    case DeadlineOutcome.Failed:
                        await EmailOwnerAsync(context, attempt, OwnerEmail.Failed, retry, logger);
                        return nameof(IntegrationStatus.Failed);
                    case DeadlineOutcome.Gone:
                        return CheckState.Gone.ToString();
                }
                // Operators are late (the owner was told once; the setup waits on), or recording the failure did not
                // work (storage outage): the next round decides again.
            }

            var wakeAt = now + attempt.PollInterval;
            if (deadline > now && deadline < wakeAt)
            {
                wakeAt = deadline;
            }
            using var timerCancellation = new CancellationTokenSource();
            var timer = context.CreateTimer(wakeAt, timerCancellation.Token);
            var woke = await Task.WhenAny(timer, cancel, credentialRegistered, rolesUpdated);
            if (woke != timer)
            {
#pragma warning disable CA1849 // CancelAsync would run the timer's callbacks off the orchestrator's thread
                timerCancellation.Cancel();
#pragma warning restore CA1849
            }
            if (woke == timer && ++rounds >= attempt.RoundsPerExecution
                && !cancel.IsCompleted && !credentialRegistered.IsCompleted && !rolesUpdated.IsCompleted)
            {
                // Nothing received this round: restart with a fresh history; later events are kept for the new
                // execution.
                context.ContinueAsNew(attempt with { OwnerToldOfMissingRoles = ownerToldOfMissingRoles },
                    preserveUnprocessedEvents: true);
                return "ContinuedAsNew";
            }
            if (woke == cancel)
            {
                await TryCallAsync<bool>(
                    context, nameof(IntegrationActivityFunctions.RecordIntegrationCancelled), attempt, retry, logger);
                return nameof(IntegrationStatus.Cancelled);
            }
            // A completed wait is replaced by a fresh one so the next event of that name wakes us again.
            if (woke == credentialRegistered)
            {
                credentialRegistered = context.WaitForExternalEvent<bool>(CredentialRegisteredEvent);
            }
            if (woke == rolesUpdated)
            {
                rolesUpdated = context.WaitForExternalEvent<bool>(RolesUpdatedEvent);
            }
        }
    }

    /// <summary>
    /// Activates the verified attempt: each round resumes the steps still undone (the activity records them on the
    /// row), one poll interval apart. Success is reported only when every step is done. When the rounds run out the row
    /// stays Activating with its lastError and the orchestration fails (failed-orchestration alert); a confirm resumes.
    /// </summary>
    private static async Task<string> ActivateAsync(
        TaskOrchestrationContext context, Activation activation, TaskOptions retry, ILogger logger)
    {
        for (var round = 1; ; round++)
        {
            var result = await TryCallAsync<ActivationResult>(
                context, nameof(IntegrationActivityFunctions.ActivateIntegration), activation, retry, logger);
            switch (result)
            {
                case ActivationResult.Active:
                    return nameof(IntegrationStatus.Active);
                case ActivationResult.Gone:
                    return nameof(CheckState.Gone);
            }
            if (round >= activation.Attempt.ActivationRounds)
            {
                throw new IntegrationActivationException($"The activation of {context.InstanceId} is still incomplete "
                    + $"after {round} rounds; lastError on its Integrations row says why.");
            }
            await context.CreateTimer(
                context.CurrentUtcDateTime + activation.Attempt.PollInterval, CancellationToken.None);
        }
    }

    /// <summary>Emails the owner; a send that keeps failing is logged and never fails the setup. True when
    /// sent.</summary>
    private static Task<bool> EmailOwnerAsync(
        TaskOrchestrationContext context, IntegrationAttempt attempt, OwnerEmail email, TaskOptions retry,
            ILogger logger) =>
        TryCallAsync<bool>(context, nameof(IntegrationActivityFunctions.EmailIntegrationOwner),
            new OwnerEmailRequest(attempt, email), retry, logger);

    /// <summary>Calls an activity with the retry policy; after the last attempt fails, logs and returns default so the
    /// loop goes on.</summary>
    private static async Task<T?> TryCallAsync<T>(
        TaskOrchestrationContext context, string activity, object input, TaskOptions retry, ILogger logger)
    {
        try
        {
            return await context.CallActivityAsync<T>(activity, input, retry);
        }
        catch (TaskFailedException ex)
        {
            logger.LogWarning("Integration setup activity {Activity} failed after retries for {InstanceId}: {Error}",
                activity, context.InstanceId, ex.FailureDetails.ErrorMessage);
            return default;
        }
    }
}
