using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace ReviewHub.Integrations;

/// <summary>
/// The orchestration's input: one confirmed attempt, with the timings it runs on (tests pass milliseconds). After
/// <see cref="RoundsPerExecution"/> quiet polls the orchestration continues as new with this input, so its history
/// stays small. An activation still incomplete after <see cref="ActivationRounds"/> rounds (one poll interval apart,
/// each with the activity retry policy) fails the orchestration.
/// </summary>
internal sealed record IntegrationAttempt(
    string AccountId, string ConnectionId, string AttemptId, IntegrationKind Kind, string IntegrationEmail,
    DateTimeOffset Deadline,
    TimeSpan PollInterval, int ActivityMaxAttempts, TimeSpan ActivityFirstRetryInterval,
    bool OwnerToldOfMissingRoles = false, int RoundsPerExecution = 24, int ActivationRounds = 12);

/// <summary>What one check of App Store Connect found.</summary>
internal enum CheckState
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
internal sealed record CheckResult(CheckState State, IReadOnlyList<string> GrantedRoles,
    DateTimeOffset? Deadline = null, bool DeadlineReached = false);

/// <summary>What the deadline activity did.</summary>
internal enum DeadlineOutcome
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

internal enum OwnerEmail { RolesMissing, Activated, Failed, Degraded, OperatorsLate, NoInvitation }

/// <summary>What one try of the activation achieved; Incomplete (a step failed after retries) is the default.</summary>
internal enum ActivationResult { Incomplete, Active, Gone }

/// <summary>An activation kept failing through all its rounds: the orchestration fails (operators' alert).</summary>
internal sealed class IntegrationActivationException(string message) : Exception(message);

internal sealed record OwnerEmailRequest(IntegrationAttempt Attempt, OwnerEmail Email);

internal sealed record Activation(IntegrationAttempt Attempt, IReadOnlyList<string> GrantedRoles);

/// <summary>
/// The setup orchestration's function: a thin wrapper that hands the trigger's context and typed input to
/// <see cref="IntegrationSetupOrchestrator"/> (docs/architecture.md, Durable), and the instance id others use to reach
/// it (its events are <see cref="CredentialRegisteredEvent"/>, <see cref="RolesUpdatedEvent"/> and
/// <see cref="CancelSetupEvent"/>).
/// </summary>
internal static class IntegrationSetupFunctions
{
    /// <summary>One instance per app (ids are 32 hex characters, so this stays under Durable's 100-character
    /// limit).</summary>
    public static string InstanceIdFor(string accountId, string connectionId) =>
        $"integration-{accountId}-{connectionId}";

    [Function(nameof(IntegrationSetup))]
    public static Task<string> IntegrationSetup([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new IntegrationSetupOrchestrator().RunAsync(context, context.GetInput<IntegrationAttempt>()
            ?? throw new InvalidOperationException("The integration setup orchestration needs its attempt as input."));
}
