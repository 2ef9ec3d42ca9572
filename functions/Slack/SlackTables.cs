namespace ReviewHub.Slack;

/// <summary>The tables the Slack feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class SlackTables
{
    public const string SlackUserLinks = "SlackUserLinks";

    public static readonly IReadOnlyList<string> All = [SlackUserLinks];
}
