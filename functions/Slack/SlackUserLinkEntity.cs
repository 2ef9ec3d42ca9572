using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Slack;

/// <summary>A Slack user bound to a ReviewHub user. PartitionKey = Slack team id, RowKey = Slack user id.</summary>
public sealed class SlackUserLinkEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UserId { get; set; } = string.Empty;
    public DateTimeOffset LinkedAt { get; set; }
}
