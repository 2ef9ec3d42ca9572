namespace ReviewHub.Slack;

/// <summary>The queues the Slack feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class SlackQueues
{
    /// <summary>Carries <see cref="SlackMessageUpdate"/>: show a reply's state on the review's Slack
    /// messages.</summary>
    public const string SlackMessageUpdates = "slack-message-updates";

    public static readonly IReadOnlyList<string> All = [SlackMessageUpdates];
}
