namespace ReviewHub.Replies;

/// <summary>The queues the Replies feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class ReplyQueues
{
    /// <summary>Carries <see cref="ReplySendMessage"/> from the reply API to the sender.</summary>
    public const string ReplySends = "reply-sends";

    public static readonly IReadOnlyList<string> All = [ReplySends];
}
