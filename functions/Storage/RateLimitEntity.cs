namespace ReviewHub.Storage;

/// <summary>
/// One fixed-window counter. PartitionKey = the owning account, RowKey = what is counted (e.g. "route-test|{routeId}").
/// </summary>
internal sealed class RateLimitEntity : TableRow
{
    public DateTimeOffset WindowStart { get; set; }
    public int Count { get; set; }
}
