using Azure;
using Azure.Data.Tables;
using ReviewHub.Storage;

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

public sealed record SlackLinkRequest(string? Token) : Http.IValidatable
{
    public void Validate(Http.ValidationErrors errors) => errors.Required(Token, "token", 1000);
}

public sealed record SlackLinkResponse(string TeamId, string SlackUserId, string UserId, DateTimeOffset LinkedAt);

/// <summary>Which ReviewHub user a Slack user acts as. Permissions are checked on every use, per account.</summary>
public sealed class SlackUserLinkStore(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient links = tables.GetTableClient(TableNames.SlackUserLinks);

    public async Task<string?> UserIdAsync(string teamId, string slackUserId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(teamId) || !TableKeys.IsValid(slackUserId))
        {
            return null;
        }
        var row = await links.GetEntityIfExistsAsync<SlackUserLinkEntity>(teamId, slackUserId,
            cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.UserId : null;
    }

    /// <summary>Binds the Slack user to <paramref name="userId"/> (a later link replaces an earlier one).</summary>
    public async Task<SlackUserLinkEntity> LinkAsync(
        string teamId, string slackUserId, string userId, CancellationToken cancellationToken)
    {
        var link = new SlackUserLinkEntity
        {
            PartitionKey = teamId, RowKey = slackUserId, UserId = userId, LinkedAt = clock.GetUtcNow(),
        };
        await links.UpsertEntityAsync(link, TableUpdateMode.Replace, cancellationToken);
        return link;
    }
}
