using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Json;
using ReviewHub.Reviews;

namespace ReviewHub.ReplyAutomation;

/// <summary>What a rule does with a review it matches.</summary>
public enum RuleMode
{
    /// <summary>Write a draft that an approver approves (optionally edited) or rejects.</summary>
    Draft,
    /// <summary>Send the reply to the store at once.</summary>
    Post,
}

/// <summary>
/// When a rule applies. Every condition given must hold; an absent or empty one holds for every review. A rule never
/// applies to a review that already has a reply (through ReviewHub or in the store): that condition is fixed.
/// Keywords are matched case-insensitively in the title and body: any of <see cref="KeywordsIncluded"/> must occur,
/// none of <see cref="KeywordsExcluded"/> may.
/// </summary>
public sealed record RuleConditions(
    IReadOnlyList<int>? Ratings = null,
    IReadOnlyList<string>? Territories = null,
    IReadOnlyList<string>? Stores = null,
    IReadOnlyList<string>? KeywordsIncluded = null,
    IReadOnlyList<string>? KeywordsExcluded = null,
    int? MinBodyLength = null,
    int? MaxBodyLength = null)
{
    public const int MaxKeywords = 20;
    public const int MaxKeywordLength = 50;

    public bool Matches(ReviewEntity review, AppEntity app)
    {
        var text = $"{review.Title}\n{review.Body}";
        var length = review.Body?.Length ?? 0;
        return (Ratings is not { Count: > 0 } || Ratings.Contains(review.Rating))
            && (Territories is not { Count: > 0 } || Territories.Contains(review.Territory, StringComparer.Ordinal))
            && (Stores is not { Count: > 0 } || Stores.Contains(StoreLimits.StoreOf(app), StringComparer.Ordinal))
            && (KeywordsIncluded is not { Count: > 0 }
                || KeywordsIncluded.Any(k => text.Contains(k, StringComparison.OrdinalIgnoreCase)))
            && (KeywordsExcluded is not { Count: > 0 }
                || !KeywordsExcluded.Any(k => text.Contains(k, StringComparison.OrdinalIgnoreCase)))
            && (MinBodyLength is not { } min || length >= min)
            && (MaxBodyLength is not { } max || length <= max);
    }

    public void Validate(ValidationErrors errors)
    {
        if (Ratings?.Any(r => r is < 1 or > 5) == true)
        {
            errors.Add("conditions.ratings", "must be between 1 and 5.");
        }
        foreach (var code in Territories?.Where(c => !Apps.Territories.IsKnown(c)).Take(5) ?? [])
        {
            errors.Add("conditions.territories",
                $"'{code}' is not an App Store territory (ISO 3166 alpha-3, upper case).");
        }
        if (Stores?.Any(s => !StoreLimits.Stores.Contains(s)) == true)
        {
            errors.Add("conditions.stores", $"must be among: {string.Join(", ", StoreLimits.Stores)}.");
        }
        Keywords(KeywordsIncluded, "conditions.keywordsIncluded", errors);
        Keywords(KeywordsExcluded, "conditions.keywordsExcluded", errors);
        if (MinBodyLength is < 0 or > 10_000 || MaxBodyLength is < 0 or > 10_000)
        {
            errors.Add("conditions", "minBodyLength and maxBodyLength must be between 0 and 10000.");
        }
        else if (MinBodyLength > MaxBodyLength)
        {
            errors.Add("conditions.minBodyLength", "must not be greater than maxBodyLength.");
        }
    }

    private static void Keywords(IReadOnlyList<string>? keywords, string field, ValidationErrors errors)
    {
        if (keywords is null)
        {
            return;
        }
        if (keywords.Count > MaxKeywords)
        {
            errors.Add(field, $"must have at most {MaxKeywords} keywords.");
        }
        foreach (var keyword in keywords.Take(MaxKeywords))
        {
            errors.SingleLine(keyword, field, MaxKeywordLength);
        }
    }
}

/// <summary>Create or replace a rule. <c>position</c> orders an app's rules (lowest first; default: last).</summary>
public sealed record ReplyRuleRequest(
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

/// <summary>A reply rule of an app. PartitionKey = appId, RowKey = ruleId.</summary>
public sealed class ReplyRuleEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public int Position { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary><see cref="RuleConditions"/> as JSON.</summary>
    public string Conditions { get; set; } = "{}";
    public string TemplateId { get; set; } = string.Empty;
    public string Mode { get; set; } = nameof(RuleMode.Draft);
    public string CreatedBy { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public string UpdatedBy { get; set; } = string.Empty;
    public DateTimeOffset UpdatedAt { get; set; }

    public RuleConditions ConditionsValue() =>
        JsonSerializer.Deserialize<RuleConditions>(Conditions, ReviewHubJson.Options) ?? new RuleConditions();

    public RuleMode ModeValue => Enum.Parse<RuleMode>(Mode);
}

public sealed record ReplyRuleResponse(
    string RuleId, string AppId, string Name, int Position, bool Enabled, RuleConditions Conditions, string TemplateId,
    RuleMode Mode, string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static ReplyRuleResponse From(ReplyRuleEntity r) => new(
        r.RowKey, r.PartitionKey, r.Name, r.Position, r.Enabled, r.ConditionsValue(), r.TemplateId, r.ModeValue,
        r.CreatedBy, r.CreatedAt, r.UpdatedBy, r.UpdatedAt);
}

/// <summary>One audited change of an app's rules: who, when, what, and the rule as it was left (null when
/// deleted).</summary>
public sealed record ReplyRuleChangeResponse(
    string RuleId, string Action, string ChangedBy, DateTimeOffset ChangedAt, ReplyRuleResponse? Rule);

/// <summary>The app's automation settings and today's use of the daily cap (UTC day).</summary>
public sealed record ReplyAutomationResponse(int DailyCap, int UsedToday, DateOnly Day);

public sealed record ReplyAutomationRequest(int? DailyCap) : IValidatable
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
public sealed record ApplyRulesRequest(int? Days) : IValidatable
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
