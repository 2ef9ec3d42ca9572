using Azure;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ReviewHub.Storage;

namespace ReviewHub.Observability;

/// <summary>
/// Every five minutes, publishes how many messages wait in each app queue's poison queue. Storage metrics only count
/// messages per account (Durable's own queues included), so this gauge is what the "poison messages" alert and the
/// workbook read.
/// </summary>
internal sealed class PoisonQueueMonitorFunctions(QueueServiceClient queues, ReviewHubMetrics metrics,
    StorageCatalog catalog, ILogger<PoisonQueueMonitorFunctions> logger)
{
    public const string Schedule = "0 */5 * * * *";

    [Function(nameof(MeasurePoisonQueues))]
    public Task MeasurePoisonQueues([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        MeasureAsync(catalog.Queues, cancellationToken);

    internal async Task MeasureAsync(IEnumerable<string> queueNames, CancellationToken cancellationToken)
    {
        foreach (var poison in queueNames.Select(PoisonQueues.NameFor))
        {
            var waiting = await CountAsync(poison, cancellationToken);
            metrics.PoisonMessagesWaiting(poison, waiting);
            if (waiting > 0)
            {
                logger.LogWarning(
                    "{Count} messages wait in poison queue {Queue}; see docs/operations.md to replay them", waiting,
                    poison);
            }
        }
    }

    private async Task<long> CountAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            return (await queues.GetQueueClient(queue).GetPropertiesAsync(
                cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0; // the host creates a poison queue on its first poison message
        }
    }
}
