using ReviewHub.Replies;

namespace ReviewHub.Delivery;

/// <summary>Event names as routes subscribe to them and as webhooks type them (versioned).</summary>
internal static class ReplyEventTypes
{
    /// <summary>The payload's version: a change that is not additive gets a new type (<c>.v2</c>) beside this one.
    /// </summary>
    public const int Version = 1;

    public static readonly IReadOnlyList<string> Names = Enum.GetValues<ReplyEventKind>().Select(Name).ToList();

    public static string Name(ReplyEventKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The webhook <c>type</c>, e.g. <c>reply.published.v1</c>.</summary>
    public static string WebhookType(ReplyEventKind kind) => $"reply.{Name(kind)}.v{Version}";

    public static ReplyEventKind? Parse(string? name) =>
        Enum.GetValues<ReplyEventKind>().Select(k => (ReplyEventKind?)k).FirstOrDefault(k => Name(k!.Value) == name);

    /// <summary>The events a change of a reply is (a change can be none, or one: a status and a flag never change
    /// together).</summary>
    public static IEnumerable<ReplyEventKind> Of(ReplyChange change)
    {
        if (change.StatusChanged)
        {
            switch (change.Reply.StatusValue)
            {
                case ReplyStatus.PendingPublish:
                    yield return ReplyEventKind.Sent;
                    break;
                case ReplyStatus.Published:
                    yield return ReplyEventKind.Published;
                    break;
                case ReplyStatus.Failed:
                    yield return ReplyEventKind.Failed;
                    break;
            }
        }
        if (change.BecameOverdue)
        {
            yield return ReplyEventKind.Overdue;
        }
        if (change.BecameOutdated)
        {
            yield return ReplyEventKind.Outdated;
        }
    }
}
