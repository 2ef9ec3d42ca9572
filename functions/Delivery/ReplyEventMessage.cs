using System.Text.Json.Serialization;

namespace ReviewHub.Delivery;

/// <summary>
/// Queue message (queue <c>reply-events</c>). Without <see cref="RouteId"/>: a reply event to fan out to the
/// subscribing routes; with it: the event for that one route. A duplicate is harmless: the Deliveries ledger lets each
/// (event, route) out once.
/// </summary>
/// <param name="Event">The event's name (<see cref="ReplyEventTypes.Name"/>): a string, as the worker binds queue
/// messages without an enum converter.</param>
/// <param name="Deferrals">How often this route's delivery was postponed; bounded by
/// <see cref="DeliveryOptions.MaxDeferrals"/>.</param>
internal sealed record ReplyEventMessage(
    string AccountId, string AppId, string ReviewId, string Event, DateTimeOffset OccurredAt, ReplySnapshot Reply,
    string? RouteId = null, int Deferrals = 0)
{
    [JsonIgnore]
    public ReplyEventKind Kind => ReplyEventTypes.Parse(Event)
        ?? throw new InvalidOperationException($"'{Event}' is not a reply event.");

    /// <summary>One event of one reply version: the same on every retry and duplicate.</summary>
    [JsonIgnore]
    public string EventKey => $"{ReviewId}|v{Reply.Version}|{Event}";
}
