namespace ReviewHub.Delivery;

/// <summary>
/// A channel refused or failed a send. <see cref="RouteBroken"/>: the customer must fix the route (credentials,
/// target); retrying cannot help. Otherwise the send may be retried, after <see cref="RetryAfter"/> when the channel
/// said so.
/// </summary>
internal sealed class ChannelException(string message, bool routeBroken = false, TimeSpan? retryAfter = null,
    Exception? inner = null)
    : Exception(message, inner)
{
    public bool RouteBroken { get; } = routeBroken;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
