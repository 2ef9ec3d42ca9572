using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace ReviewHub.GooglePlay;

/// <summary>
/// Registers the Play verification's typed orchestrator and activities with the Functions host. Without the Durable
/// source generator each gets a thin <c>[Function]</c> wrapper named for its class; the logic is in the classes, which
/// the tests register with the Durable in-process test host directly.
/// </summary>
internal sealed class PlayConnectionSetupFunctions(
    CheckPlayGrantActivity check, FailPlayConnectionActivity fail, EmailPlayConnectionOwnerActivity email)
{
    [Function(nameof(VerifyPlayConnection))]
    public static Task<string> VerifyPlayConnection([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new PlayConnectionVerificationOrchestrator().RunAsync(context, context.GetInput<PlayVerification>()
            ?? throw new InvalidOperationException("The Google Play verification needs its attempt as input."));

    [Function(nameof(CheckPlayGrant))]
    public Task<PlayCheckResult> CheckPlayGrant(
        [ActivityTrigger] PlayVerification input, CancellationToken cancellationToken) =>
        check.ExecuteAsync(input, cancellationToken);

    [Function(nameof(FailPlayConnection))]
    public Task<bool> FailPlayConnection(
        [ActivityTrigger] PlayVerification input, CancellationToken cancellationToken) =>
        fail.ExecuteAsync(input, cancellationToken);

    [Function(nameof(EmailPlayConnectionOwner))]
    public Task<bool> EmailPlayConnectionOwner(
        [ActivityTrigger] PlayOwnerEmailRequest input, CancellationToken cancellationToken) =>
        email.ExecuteAsync(input, cancellationToken);
}
