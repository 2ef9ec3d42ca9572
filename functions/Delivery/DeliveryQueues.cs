namespace ReviewHub.Delivery;

/// <summary>The queues the Delivery feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class DeliveryQueues
{
    /// <summary>Carries <see cref="DeliveryWork"/>: one unit of work per (new-reviews batch, matching route).</summary>
    public const string Deliveries = "deliveries";

    /// <summary>Carries <see cref="ReplyEventMessage"/>: a reply event to fan out, or to deliver to one
    /// route.</summary>
    public const string ReplyEvents = "reply-events";

    public static readonly IReadOnlyList<string> All = [Deliveries, ReplyEvents];
}
