using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>One event of an app's integration audit trail. PartitionKey = connectionId, RowKey = newest
/// first.</summary>
internal sealed class IntegrationEventEntity : TableRow
{
    public string AccountId { get; set; } = string.Empty;

    /// <summary><see cref="IntegrationEventKind"/> as text.</summary>
    public string Event { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    /// <summary>The member who acted, or null for ReviewHub itself (a refused call, the health check).</summary>
    public string? By { get; set; }

    /// <summary>The cause or what was done, in words (never a key).</summary>
    public string? Detail { get; set; }
}
