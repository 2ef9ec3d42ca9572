namespace ReviewHub.ReplyAutomation;

/// <summary>The queues the ReplyAutomation feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class ReplyAutomationQueues
{
    /// <summary>Carries <see cref="ReplyAutomationWork"/>: run the reply rules on reviews.</summary>
    public const string ReplyAutomation = "reply-automation";

    public static readonly IReadOnlyList<string> All = [ReplyAutomation];
}
