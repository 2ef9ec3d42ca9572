using Azure;
using Azure.Data.Tables;

namespace ReviewHub.ReplyAutomation;

/// <summary>
/// A row of the app's automation partition (table ReplyAutomation, PartitionKey = appId): the settings
/// (RowKey <c>settings</c>), one counter per UTC day (<c>day|yyyy-MM-dd</c>), and the audit of rule changes
/// (<c>change|{inverted ticks}|{id}</c>, newest first).
/// </summary>
internal sealed class ReplyAutomationEntity : ITableEntity
{
    public const string SettingsRow = "settings";
    public const string DayPrefix = "day|";
    public const string ChangePrefix = "change|";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = string.Empty;

    /// <summary>Settings: replies and drafts rules may write per UTC day.</summary>
    public int? DailyCap { get; set; }

    /// <summary>Day counter: replies and drafts written by rules that day.</summary>
    public int Count { get; set; }

    /// <summary>Change: the rule, the action, who, when, and the rule as left (JSON; null when deleted).</summary>
    public string? RuleId { get; set; }
    public string? Action { get; set; }
    public string? ChangedBy { get; set; }
    public DateTimeOffset? ChangedAt { get; set; }
    public string? Rule { get; set; }
}
