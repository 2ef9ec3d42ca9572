namespace ReviewHub.Delivery;

/// <summary>A delivery channel: how it groups reviews and how it sends them.</summary>
internal interface IDeliveryChannel
{
    DeliveryChannel Channel { get; }

    /// <summary>True when <paramref name="reviewCount"/> reviews go out as one digest; false for one send per
    /// review.</summary>
    bool SendsDigest(int reviewCount);

    /// <summary>Sends and returns the channel's id for what it created (Slack ts, ticket id, message id). Throws <see
    /// cref="ChannelException"/>.</summary>
    Task<string?> SendAsync(ChannelSend send, CancellationToken cancellationToken);
}
