using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ReviewHub.Http;
using ReviewHub.Json;
using ReviewHub.Replies;
using ReviewHub.Storage;

namespace ReviewHub.ReplyAutomation;

/// <summary>A reply template of an account. PartitionKey = accountId, RowKey = templateId.</summary>
public sealed class ReplyTemplateEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = string.Empty;

    /// <summary>JSON array of tags.</summary>
    public string Tags { get; set; } = "[]";
    public string Body { get; set; } = string.Empty;
    public string CreatedBy { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public string UpdatedBy { get; set; } = string.Empty;
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> TagList() => JsonSerializer.Deserialize<List<string>>(Tags) ?? [];
}

/// <summary>
/// Create or replace a template. Unknown placeholders or stray braces are field errors of <c>body</c>.
/// </summary>
public sealed record ReplyTemplateRequest(string? Name, IReadOnlyList<string>? Tags, string? Body) : IValidatable
{
    public const int MaxTags = 10;
    public const int MaxTagLength = 30;

    public void Validate(ValidationErrors errors)
    {
        errors.SingleLine(Name, "name", 100);
        if (Tags is { } tags)
        {
            if (tags.Count > MaxTags)
            {
                errors.Add("tags", $"must have at most {MaxTags} tags.");
            }
            foreach (var tag in tags.Take(MaxTags))
            {
                errors.SingleLine(tag, "tags", MaxTagLength);
            }
        }
        if (errors.Required(Body, "body", ReplyOptions.MaxBodyLength))
        {
            foreach (var problem in ReplyPlaceholders.Problems(Body))
            {
                errors.Add("body", problem);
            }
        }
    }
}

public sealed record ReplyTemplateResponse(
    string TemplateId, string Name, IReadOnlyList<string> Tags, string Body, IReadOnlyList<string> Placeholders,
    string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static ReplyTemplateResponse From(ReplyTemplateEntity t) => new(
        t.RowKey, t.Name, t.TagList(), t.Body, ReplyPlaceholders.Names, t.CreatedBy, t.CreatedAt, t.UpdatedBy,
        t.UpdatedAt);
}

/// <summary>Which review to render a template for.</summary>
public sealed record PreviewTemplateRequest(string? AppId, string? ReviewId) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Key(AppId, "appId", 64);
        errors.Key(ReviewId, "reviewId", 256);
    }
}

/// <summary>The template rendered for one review, and whether the store accepts that length.</summary>
public sealed record TemplatePreviewResponse(string Text, int Length, int MaxLength, bool FitsStore, string Store);

/// <summary>The account's templates.</summary>
public sealed class ReplyTemplateStore(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient templates = tables.GetTableClient(TableNames.ReplyTemplates);

    public async Task<ReplyTemplateEntity?> GetAsync(string accountId, string templateId,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId) || !Ids.IsValid(templateId))
        {
            return null;
        }
        var row = await templates.GetEntityIfExistsAsync<ReplyTemplateEntity>(accountId, templateId,
            cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
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
