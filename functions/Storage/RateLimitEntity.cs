using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Storage;

/// <summary>
/// One fixed-window counter. PartitionKey = the owning account, RowKey = what is counted (e.g. "route-test|{routeId}").
/// </summary>
public sealed class RateLimitEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset WindowStart { get; set; }
    public int Count { get; set; }
}
