using ReviewHub.Http;

namespace ReviewHub.ReplyAutomation;

/// <summary>Create or replace a rule. <c>position</c> orders an app's rules (lowest first; default: last).</summary>
internal sealed record ReplyRuleRequest(
    string? Name, int? Position, bool? Enabled, RuleConditions? Conditions, string? TemplateId, string? Mode)
    : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.SingleLine(Name, "name", 100);
        if (Position is < 0 or > 10_000)
        {
            errors.Add("position", "must be between 0 and 10000.");
        }
        Conditions?.Validate(errors);
        if (errors.Required(TemplateId, "templateId", 32) && !Storage.Ids.IsValid(TemplateId))
        {
            errors.Add("templateId", "is not a template id.");
        }
        if (errors.Required(Mode, "mode", 10) && !Enum.TryParse<RuleMode>(Mode, ignoreCase: true, out _))
        {
            errors.Add("mode", "must be one of: draft, post.");
        }
    }

    public RuleMode ModeValue => Enum.Parse<RuleMode>(Mode!, ignoreCase: true);
}

internal sealed record ReplyRuleResponse(
    string RuleId, string AppId, string Name, int Position, bool Enabled, RuleConditions Conditions, string TemplateId,
    RuleMode Mode, string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static ReplyRuleResponse From(ReplyRuleEntity r) => new(
        r.RowKey, r.PartitionKey, r.Name, r.Position, r.Enabled, r.ConditionsValue(), r.TemplateId, r.ModeValue,
        r.CreatedBy, r.CreatedAt, r.UpdatedBy, r.UpdatedAt);
}

/// <summary>One audited change of an app's rules: who, when, what, and the rule as it was left (null when
/// deleted).</summary>
internal sealed record ReplyRuleChangeResponse(
    string RuleId, string Action, string ChangedBy, DateTimeOffset ChangedAt, ReplyRuleResponse? Rule);

/// <summary>The app's automation settings and today's use of the daily cap (UTC day).</summary>
internal sealed record ReplyAutomationResponse(int DailyCap, int UsedToday, DateOnly Day);

internal sealed record ReplyAutomationRequest(int? DailyCap) : IValidatable
{
    public const int MaxDailyCap = 1000;

    public void Validate(ValidationErrors errors)
    {
        if (DailyCap is not (>= 0 and <= MaxDailyCap))
        {
            errors.Add("dailyCap", $"is required, between 0 (paused) and {MaxDailyCap}.");
        }
    }
}

/// <summary>Apply the rules to the app's reviews of the last <c>days</c> days (those without a reply).</summary>
internal sealed record ApplyRulesRequest(int? Days) : IValidatable
{
    public const int MaxDays = 30;

    public void Validate(ValidationErrors errors)
    {
        if (Days is not (>= 1 and <= MaxDays))
        {
            errors.Add("days", $"is required, between 1 and {MaxDays}.");
        }
    }
}
