using System.Text.Json;
using ReviewHub.Json;
using ReviewHub.Storage;

namespace ReviewHub.ReplyAutomation;

/// <summary>A reply rule of an app. PartitionKey = appId, RowKey = ruleId.</summary>
internal sealed class ReplyRuleEntity : TableRow
{
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
