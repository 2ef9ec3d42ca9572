namespace ReviewHub.Storage;

/// <summary>Sends a message record to a queue in the shape its queue trigger binds (JSON, base64 on the
/// wire).</summary>
internal interface IMessageQueue
{
    Task SendAsync<TMessage>(string queueName, TMessage message, TimeSpan? visibilityDelay = null,
        CancellationToken cancellationToken = default);
}
