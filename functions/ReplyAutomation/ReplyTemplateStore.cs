using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ReviewHub.Json;
using ReviewHub.Storage;

namespace ReviewHub.ReplyAutomation;

/// <summary>The account's templates.</summary>
internal sealed class ReplyTemplateStore(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient templates = tables.GetTableClient(ReplyAutomationTables.ReplyTemplates);

    public async Task<ReplyTemplateEntity?> GetAsync(string accountId, string templateId,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId) || !Ids.IsValid(templateId))
        {
            return null;
        }
        return await templates.FindAsync<ReplyTemplateEntity>(accountId, templateId, cancellationToken);
    }

    public async Task<IReadOnlyList<ReplyTemplateEntity>> ListAsync(string accountId,
        CancellationToken cancellationToken)
    {
        var list = new List<ReplyTemplateEntity>();
        await foreach (var t in templates.QueryRowsAsync<ReplyTemplateEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), cancellationToken: cancellationToken))
        {
            list.Add(t);
        }
        return list;
    }

    public async Task<ReplyTemplateEntity> CreateAsync(
        string accountId, ReplyTemplateRequest request, string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var template = new ReplyTemplateEntity
        {
            PartitionKey = accountId,
            RowKey = Ids.New(),
            CreatedBy = userId,
            CreatedAt = now,
        };
        Apply(template, request, userId, now);
        await templates.AddEntityAsync(template, cancellationToken);
        return template;
    }

    public Task<ReplyTemplateEntity?> ReplaceAsync(
        string accountId, string templateId, ReplyTemplateRequest request, string userId,
        CancellationToken cancellationToken) =>
        templates.UpdateAsync<ReplyTemplateEntity>(accountId, templateId, t =>
        {
            Apply(t, request, userId, clock.GetUtcNow());
            return true;
        }, cancellationToken);

    public async Task<bool> DeleteAsync(string accountId, string templateId, CancellationToken cancellationToken)
    {
        try
        {
            await templates.DeleteEntityAsync(accountId, templateId, ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    private static void Apply(ReplyTemplateEntity t, ReplyTemplateRequest request, string userId, DateTimeOffset now)
    {
        t.Name = request.Name!.Trim();
        t.Tags = JsonSerializer.Serialize(
            (request.Tags ?? []).Select(tag => tag.Trim()).Distinct(StringComparer.Ordinal).ToList(),
            ReviewHubJson.Options);
        t.Body = request.Body!.Trim();
        t.UpdatedBy = userId;
        t.UpdatedAt = now;
    }
}
