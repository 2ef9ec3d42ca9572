namespace ReviewHub.Replies;

/// <summary>The tables the Replies feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class ReplyTables
{
    public const string Replies = "Replies";
    public const string ReplyHistory = "ReplyHistory";
    public const string ReplyPending = "ReplyPending";

    public static readonly IReadOnlyList<string> All = [Replies, ReplyHistory, ReplyPending];
}
