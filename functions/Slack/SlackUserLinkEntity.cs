using ReviewHub.Storage;

namespace ReviewHub.Slack;

/// <summary>A Slack user bound to a ReviewHub user. PartitionKey = Slack team id, RowKey = Slack user id.</summary>
internal sealed class SlackUserLinkEntity : TableRow
{
    public string UserId { get; set; } = string.Empty;
    public DateTimeOffset LinkedAt { get; set; }
}
