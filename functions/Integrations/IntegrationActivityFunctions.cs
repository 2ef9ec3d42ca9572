using Microsoft.Azure.Functions.Worker;

namespace ReviewHub.Integrations;

/// <summary>
/// Registers the setup orchestration's typed activities with the Functions host. Without the Durable source generator
/// each gets a thin <c>[Function]</c> wrapper; its name (the <c>nameof</c> of the method) is the Durable name that
/// <see cref="IntegrationSetupOrchestrator"/> calls and that histories of setups in flight hold, so it stays as it was
/// when these were methods. The logic is in the <c>…Activity</c> classes, which the tests register with the Durable
/// in-process test host directly.
/// </summary>
internal sealed class IntegrationActivityFunctions(
    CheckIntegrationActivity check,
    ActivateIntegrationActivity activate,
    FailIntegrationActivity fail,
    RecordIntegrationCancelledActivity recordCancelled,
    EmailIntegrationOwnerActivity email)
{
    [Function(nameof(CheckIntegration))]
    public Task<CheckResult> CheckIntegration(
        [ActivityTrigger] IntegrationAttempt attempt, CancellationToken cancellationToken) =>
        check.ExecuteAsync(attempt, cancellationToken);

    [Function(nameof(ActivateIntegration))]
    public Task<ActivationResult> ActivateIntegration(
        [ActivityTrigger] Activation activation, CancellationToken cancellationToken) =>
        activate.ExecuteAsync(activation, cancellationToken);

    [Function(nameof(FailIntegration))]
    public Task<DeadlineOutcome> FailIntegration(
        [ActivityTrigger] IntegrationAttempt attempt, CancellationToken cancellationToken) =>
        fail.ExecuteAsync(attempt, cancellationToken);

    [Function(nameof(RecordIntegrationCancelled))]
    public Task<bool> RecordIntegrationCancelled(
        [ActivityTrigger] IntegrationAttempt attempt, CancellationToken cancellationToken) =>
        recordCancelled.ExecuteAsync(attempt, cancellationToken);

    [Function(nameof(EmailIntegrationOwner))]
    public Task<bool> EmailIntegrationOwner(
        [ActivityTrigger] OwnerEmailRequest request, CancellationToken cancellationToken) =>
        email.ExecuteAsync(request, cancellationToken);
}
