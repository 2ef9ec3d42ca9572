using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Slack;

/// <summary>Which ReviewHub user a Slack user acts as. Permissions are checked on every use, per account.</summary>
internal sealed class SlackUserLinkStore(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient links = tables.GetTableClient(SlackTables.SlackUserLinks);

    public async Task<string?> UserIdAsync(string teamId, string slackUserId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(teamId) || !TableKeys.IsValid(slackUserId))
        {
            return null;
        }
        var row = await links.FindAsync<SlackUserLinkEntity>(teamId, slackUserId, cancellationToken);
        return row is not null ? row.UserId : null;
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
