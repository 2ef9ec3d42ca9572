namespace ReviewHub.ReplyAutomation;

/// <summary>The tables the ReplyAutomation feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class ReplyAutomationTables
{
    public const string ReplyTemplates = "ReplyTemplates";
    public const string ReplyRules = "ReplyRules";
    public const string ReplyDrafts = "ReplyDrafts";
    public const string ReplyAutomation = "ReplyAutomation";

    public static readonly IReadOnlyList<string> All = [ReplyTemplates, ReplyRules, ReplyDrafts, ReplyAutomation];
}
