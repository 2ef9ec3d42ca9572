using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Integrations;

namespace ReviewHub.GooglePlay;

/// <summary>Starts an attempt's verification exactly once: a repeated "I've invited" finds it running.</summary>
internal sealed class PlayVerificationLauncher(
    IOptions<GooglePlayOptions> play, IOptions<IntegrationOptions> integrations,
    ILogger<PlayVerificationLauncher> logger)
{
    public PlayVerification VerificationOf(PlayConnectionEntity row) => new(
        row.AccountId, row.AttemptId!, play.Value.VerifyFirstInterval, play.Value.VerifyMaxInterval,
        integrations.Value.ActivityMaxAttempts, integrations.Value.ActivityFirstRetryInterval);

    /// <summary>
    /// Starts the attempt's orchestration unless it runs already (deduplicated on the instance id). An instance of an
    /// earlier attempt still running (it ends at its next check, finding the row on another attempt) is replaced.
    /// </summary>
    public async Task EnsureStartedAsync(
        DurableTaskClient client, PlayConnectionEntity row, CancellationToken cancellationToken)
    {
        var verification = VerificationOf(row);
        var start = new StartOrchestrationOptions(row.InstanceId).WithDedupeStatuses(
            OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running,
            OrchestrationRuntimeStatus.Suspended);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(PlayConnectionSetupFunctions.VerifyPlayConnection), verification, start, cancellationToken);
            return;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            var running = await client.GetInstanceAsync(row.InstanceId, getInputsAndOutputs: true, cancellationToken);
            if (running?.ReadInputAs<PlayVerification>()?.AttemptId == verification.AttemptId)
            {
                return; // a double click: this attempt's verification runs already
            }
        }
        logger.LogInformation("Replacing the Google Play verification of an earlier attempt for {AccountId}",
            row.AccountId);
        await client.TerminateInstanceAsync(row.InstanceId, "Superseded by a new invitation.", cancellationToken);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(20));
        await client.WaitForInstanceCompletionAsync(row.InstanceId, wait.Token);
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(PlayConnectionSetupFunctions.VerifyPlayConnection), verification, start, cancellationToken);
    }
}
