using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>
/// One row per (review, route): the ledger that makes delivery idempotent. PartitionKey = appId, RowKey =
/// "{routeId}|{reviewId}". See docs/delivery.md for the state machine.
/// </summary>
internal sealed class DeliveryEntity : TableRow
{
    public string State { get; set; } = nameof(DeliveryState.Sending);
    public DateTimeOffset LeaseUntil { get; set; }
    public int Attempts { get; set; }
    public string BatchId { get; set; } = string.Empty;
    public string? ExternalId { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    [IgnoreDataMember]
    public DeliveryState StateValue => Enum.Parse<DeliveryState>(State);

    public static string KeyFor(string routeId, string reviewId) => $"{routeId}|{reviewId}";
}
