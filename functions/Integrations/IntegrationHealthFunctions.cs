using Microsoft.Azure.Functions.Worker;

namespace ReviewHub.Integrations;

/// <summary>
/// Checks one connection from the queue (queued by a refused call, or by "I fixed it" when App Store Connect did not
/// answer). The daily timer that queues one check per connection in force is not built yet (see docs/integration.md).
/// </summary>
public sealed class IntegrationHealthFunctions(IntegrationHealthCheck check)
{
    /// <summary>Idempotent: a check only compares App Store Connect's answer with the row and writes on a
    /// change.</summary>
    [Function(nameof(CheckIntegrationHealth))]
    public Task CheckIntegrationHealth(
        [QueueTrigger(IntegrationQueues.IntegrationHealthChecks)] IntegrationHealthCheckRequest request,
        CancellationToken cancellationToken) =>
        check.CheckAsync(request.AccountId, request.ConnectionId, cancellationToken);
}
