using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Storage;

/// <summary>What every table entity carries: its keys, the service's timestamp and the ETag that optimistic
/// concurrency compares. Entities derive from it instead of repeating the four properties.</summary>
internal abstract class TableRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}
