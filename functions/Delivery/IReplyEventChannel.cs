namespace ReviewHub.Delivery;

/// <summary>A channel that tells a reply's life (Slack, Zendesk, webhooks; not email).</summary>
internal interface IReplyEventChannel
{
    DeliveryChannel Channel { get; }

    /// <summary>Sends the event; returns the channel's id for what it created, if any. Throws
    /// <see cref="ChannelException"/>.</summary>
    Task<string?> SendReplyEventAsync(ReplyEventSend send, CancellationToken cancellationToken);
}
