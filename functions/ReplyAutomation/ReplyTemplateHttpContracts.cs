using ReviewHub.Http;
using ReviewHub.Replies;

namespace ReviewHub.ReplyAutomation;

/// <summary>
/// Create or replace a template. Unknown placeholders or stray braces are field errors of <c>body</c>.
/// </summary>
internal sealed record ReplyTemplateRequest(string? Name, IReadOnlyList<string>? Tags, string? Body) : IValidatable
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

internal sealed record ReplyTemplateResponse(
    string TemplateId, string Name, IReadOnlyList<string> Tags, string Body, IReadOnlyList<string> Placeholders,
    string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static ReplyTemplateResponse From(ReplyTemplateEntity t) => new(
        t.RowKey, t.Name, t.TagList(), t.Body, ReplyPlaceholders.Names, t.CreatedBy, t.CreatedAt, t.UpdatedBy,
        t.UpdatedAt);
}

/// <summary>Which review to render a template for.</summary>
internal sealed record PreviewTemplateRequest(string? AppId, string? ReviewId) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Key(AppId, "appId", 64);
        errors.Key(ReviewId, "reviewId", 256);
    }
}

/// <summary>The template rendered for one review, and whether the store accepts that length.</summary>
internal sealed record TemplatePreviewResponse(string Text, int Length, int MaxLength, bool FitsStore, string Store);
