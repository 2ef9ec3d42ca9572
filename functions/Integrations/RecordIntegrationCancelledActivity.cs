using Microsoft.DurableTask;

namespace ReviewHub.Integrations;

/// <summary>
/// The setup received its cancel event: Cancelled, while the row still runs the attempt (a disconnect has already
/// taken the row out of setup, so it stays Disconnected). True when this write made it Cancelled.
/// </summary>
internal sealed class RecordIntegrationCancelledActivity(IntegrationStore store)
    : TaskActivity<IntegrationAttempt, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, IntegrationAttempt input) =>
        ExecuteAsync(input, CancellationToken.None);

    public async Task<bool> ExecuteAsync(IntegrationAttempt input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return await store.UpdateAttemptAsync(input.AccountId, input.ConnectionId, input.AttemptId,
            r => r.Status = nameof(IntegrationStatus.Cancelled), cancellationToken) is not null;
    }
}
