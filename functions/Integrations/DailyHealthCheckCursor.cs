using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// Where the daily health check stopped when a run reached its cap: the next run starts after this connection, so
/// every connection is checked within ceil(connections / cap) days. One row in the Integrations table under a
/// partition no account id can take (<see cref="Partition"/>); it has no kind in force, so no connection query reads
/// it. Absent when the last run checked everything.
/// </summary>
internal sealed class DailyHealthCheckCursor : TableRow
{
    public const string Partition = "~daily-health-check";
    public const string Row = "cursor";

    /// <summary>The account id of the last connection queued.</summary>
    public string AccountId { get; set; } = string.Empty;

    /// <summary>The last connection queued.</summary>
    public string ConnectionId { get; set; } = string.Empty;
}
