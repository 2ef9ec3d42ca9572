using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ReviewHub.Integrations;

/// <summary>Starts the setup orchestration of a confirmed attempt exactly once, with the timings from the
/// settings.</summary>
internal sealed class IntegrationSetupLauncher(IOptions<IntegrationOptions> settings,
    ILogger<IntegrationSetupLauncher> logger)
{
    private IntegrationAttempt AttemptOf(IntegrationEntity row) => new(
        row.AccountId, row.ConnectionId, row.AttemptId!, row.KindValue, row.IntegrationEmail, row.Deadline,
        settings.Value.PollInterval, settings.Value.ActivityMaxAttempts, settings.Value.ActivityFirstRetryInterval);

    /// <summary>
    /// Starts the attempt's orchestration unless it runs already. An instance still running for an earlier attempt
    /// (finishing its last email after Failed, or just cancelled) is terminated and replaced: the row belongs to the
    /// new attempt.
    /// </summary>
    public async Task EnsureStartedAsync(DurableTaskClient client, IntegrationEntity row,
        CancellationToken cancellationToken)
    {
        var attempt = AttemptOf(row);
        var instanceId = IntegrationSetupFunctions.InstanceIdFor(attempt.AccountId, attempt.ConnectionId);
        var start = new StartOrchestrationOptions(instanceId).WithDedupeStatuses(
            OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running,
            OrchestrationRuntimeStatus.Suspended);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(IntegrationSetupFunctions.IntegrationSetup),
                attempt, start, cancellationToken);
            return;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            var running = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
            if (running?.ReadInputAs<IntegrationAttempt>()?.AttemptId == attempt.AttemptId)
            {
                return; // a double click: this attempt's orchestration is already running
            }
        }

        logger.LogInformation("Replacing the setup orchestration of an earlier attempt for {AccountId}/{ConnectionId}",
            attempt.AccountId, attempt.ConnectionId);
        await client.TerminateInstanceAsync(instanceId, "Superseded by a new confirmation.", cancellationToken);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(20));
        await client.WaitForInstanceCompletionAsync(instanceId, wait.Token);
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(IntegrationSetupFunctions.IntegrationSetup),
            attempt, start, cancellationToken);
    }
}
