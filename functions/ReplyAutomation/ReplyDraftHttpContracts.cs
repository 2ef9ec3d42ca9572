namespace ReviewHub.ReplyAutomation;

internal sealed record ReplyDraftResponse(
    string ReviewId, string Body, string RuleId, string TemplateId, DateTimeOffset CreatedAt, string? Note)
{
    public static ReplyDraftResponse From(ReplyDraftEntity d) =>
        new(d.RowKey, d.Body, d.RuleId, d.TemplateId, d.CreatedAt, d.Note);
}

/// <summary>Approve a draft, optionally with an edited body.</summary>
internal sealed record ApproveDraftRequest(string? Body) : Http.IValidatable
{
    public void Validate(Http.ValidationErrors errors)
    {
        if (Body is not null)
        {
            errors.Required(Body, "body", Replies.ReplyOptions.MaxBodyLength);
        }
    }
}
