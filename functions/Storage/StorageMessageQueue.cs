using System.Text.Json;
using Azure.Storage.Queues;
using ReviewHub.Json;

namespace ReviewHub.Storage;

internal sealed class StorageMessageQueue(QueueServiceClient queues) : IMessageQueue
{
    public async Task SendAsync<TMessage>(string queueName, TMessage message, TimeSpan? visibilityDelay = null,
        CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(message, ReviewHubJson.Options);
        await queues.GetQueueClient(queueName).SendMessageAsync(body, visibilityDelay,
            cancellationToken: cancellationToken);
    }
}
