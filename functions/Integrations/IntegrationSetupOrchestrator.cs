using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace ReviewHub.Integrations;

/// <summary>
/// Waits up to the attempt's deadline for the integration to be verified: checks App Store Connect at once, then again
/// every poll interval and immediately when operators register the credential or the customer says the roles were
/// updated. Deterministic: all I/O is in the activities (<see cref="CheckIntegrationActivity"/> and the others behind
/// <see cref="IntegrationActivityFunctions"/>); time comes from the context; no event wait is ever cancelled (a
/// cancelled wait could swallow a later event of the same name), only timers are.
/// Runs as the function <see cref="IntegrationSetupFunctions.IntegrationSetup"/>; the in-process test host registers
/// this type under that name.
/// </summary>
internal sealed class IntegrationSetupOrchestrator : TaskOrchestrator<IntegrationAttempt, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, IntegrationAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attempt);
        var logger = context.CreateReplaySafeLogger(nameof(IntegrationSetupFunctions.IntegrationSetup));
        // Every failure that escapes an activity is transient by design (decisive answers are returned, not thrown).
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
            attempt.ActivityMaxAttempts, attempt.ActivityFirstRetryInterval, backoffCoefficient: 2,
            maxRetryInterval: attempt.ActivityFirstRetryInterval * 32));
        var deadline = attempt.Deadline.UtcDateTime;
        var cancel = context.WaitForExternalEvent<CancelSetupEvent>(CancelSetupEvent.Name);
        var credentialRegistered = context.WaitForExternalEvent<CredentialRegisteredEvent>(
            CredentialRegisteredEvent.Name);
        var rolesUpdated = context.WaitForExternalEvent<RolesUpdatedEvent>(RolesUpdatedEvent.Name);
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
                var stop = await cancel;
                logger.LogInformation("Setup {InstanceId} stopped: {Reason} by {UserId}", context.InstanceId,
                    stop.Reason, stop.UserId);
                await TryCallAsync<bool>(
                    context, nameof(IntegrationActivityFunctions.RecordIntegrationCancelled), attempt, retry, logger);
                return nameof(IntegrationStatus.Cancelled);
            }
            // A completed wait is replaced by a fresh one so the next event of that name wakes us again.
            if (woke == credentialRegistered)
            {
                var registered = await credentialRegistered;
                logger.LogInformation("Setup {InstanceId}: a key was registered ({Method}) at {RegisteredAt}; "
                    + "checking at once", context.InstanceId, registered.Method, registered.RegisteredAt);
                credentialRegistered = context.WaitForExternalEvent<CredentialRegisteredEvent>(
                    CredentialRegisteredEvent.Name);
            }
            if (woke == rolesUpdated)
            {
                var told = await rolesUpdated;
                logger.LogInformation("Setup {InstanceId}: {UserId} updated the roles at {ToldAt}; checking at once",
                    context.InstanceId, told.UserId, told.ToldAt);
                rolesUpdated = context.WaitForExternalEvent<RolesUpdatedEvent>(RolesUpdatedEvent.Name);
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
