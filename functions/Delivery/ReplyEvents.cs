using System.Text.Json.Serialization;
using ReviewHub.Apps;
using ReviewHub.Replies;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>What happened to a reply, told to the routes that subscribe (docs/delivery.md, "Reply events").</summary>
public enum ReplyEventKind
{
    /// <summary>App Store Connect accepted the reply; Apple moderates it.</summary>
    Sent,

    /// <summary>Apple shows the reply on the App Store.</summary>
    Published,

    /// <summary>The reply did not get through or was not kept (failure code and reason).</summary>
    Failed,

    /// <summary>Still pending Apple's moderation past <c>Replies__ModerationWindow</c> after it was sent.</summary>
    Overdue,

    /// <summary>The reviewer edited the review after the reply was written.</summary>
    Outdated,
}

/// <summary>Event names as routes subscribe to them and as webhooks type them (versioned).</summary>
public static class ReplyEventTypes
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

/// <summary>The reply as it was when the event happened (a later state must not rewrite an earlier event).</summary>
public sealed record ReplySnapshot(
    int Version, string Action, string Status, string? Body, string RequestedBy, string? RuleId, DateTimeOffset? SentAt,
    DateTimeOffset? PublishedAt, string? FailureCode, string? FailureReason, DateTimeOffset? OverdueAt,
    DateTimeOffset? OutdatedAt)
{
    public static ReplySnapshot From(ReplyEntity reply) => new(
        reply.Version, Camel(reply.Action), Camel(reply.Status), reply.Body, reply.RequestedBy, reply.RuleId,
        reply.SentAt, reply.PublishedAt, reply.FailureCode is null ? null : Camel(reply.FailureCode),
        reply.FailureReason, reply.OverdueAt, reply.OutdatedAt);

    /// <summary>The API's spelling of stored enum names (PendingPublish → pendingPublish).</summary>
    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>
/// Queue message (queue <c>reply-events</c>). Without <see cref="RouteId"/>: a reply event to fan out to the
/// subscribing routes; with it: the event for that one route. A duplicate is harmless: the Deliveries ledger lets each
/// (event, route) out once.
/// </summary>
/// <param name="Event">The event's name (<see cref="ReplyEventTypes.Name"/>): a string, as the worker binds queue
/// messages without an enum converter.</param>
/// <param name="Deferrals">How often this route's delivery was postponed; bounded by
/// <see cref="DeliveryOptions.MaxDeferrals"/>.</param>
public sealed record ReplyEventMessage(
    string AccountId, string AppId, string ReviewId, string Event, DateTimeOffset OccurredAt, ReplySnapshot Reply,
    string? RouteId = null, int Deferrals = 0)
{
    [JsonIgnore]
    public ReplyEventKind Kind => ReplyEventTypes.Parse(Event)
        ?? throw new InvalidOperationException($"'{Event}' is not a reply event.");

    /// <summary>One event of one reply version: the same on every retry and duplicate.</summary>
    [JsonIgnore]
    public string EventKey => $"{ReviewId}|v{Reply.Version}|{Event}";
}

/// <summary>Queues each event of a reply change for fan-out (kept out of the reply's own write path).</summary>
internal sealed class ReplyEventObserver(IMessageQueue queue, TimeProvider clock) : IReplyStatusObserver
{
    public async Task ChangedAsync(ReplyChange change, CancellationToken cancellationToken)
    {
        var reply = change.Reply;
        foreach (var kind in ReplyEventTypes.Of(change))
        {
            await queue.SendAsync(QueueNames.ReplyEvents,
                new ReplyEventMessage(reply.AccountId, reply.AppId, reply.ReviewId, ReplyEventTypes.Name(kind),
                    clock.GetUtcNow(),
                    ReplySnapshot.From(reply)), cancellationToken: cancellationToken);
        }
    }
}

/// <summary>One reply event for one route, with the review and the channel's id of the review's own message (Slack
/// <c>ts</c>, Zendesk ticket id) when the route announced the review.</summary>
/// <param name="IdempotencyKey">Stable across retries: the webhook-id.</param>
public sealed record ReplyEventSend(
    RouteEntity Route, AppEntity App, ReviewNotification Review, ReplyEventMessage Event, string? ReviewMessageId,
    string IdempotencyKey);

/// <summary>A channel that tells a reply's life (Slack, Zendesk, webhooks; not email).</summary>
public interface IReplyEventChannel
{
    DeliveryChannel Channel { get; }

    /// <summary>Sends the event; returns the channel's id for what it created, if any. Throws
    /// <see cref="ChannelException"/>.</summary>
    Task<string?> SendReplyEventAsync(ReplyEventSend send, CancellationToken cancellationToken);
}

/// <summary>The words Slack and Zendesk use for a reply event.</summary>
internal static class ReplyEventText
{
    public static string Line(ReplyEventMessage message) => message.Kind switch
    {
        ReplyEventKind.Sent => "Reply sent to App Store Connect; Apple is reviewing it.",
        ReplyEventKind.Published => "Reply published on the App Store.",
        ReplyEventKind.Failed => $"Reply failed: {message.Reply.FailureReason ?? message.Reply.FailureCode}",
        ReplyEventKind.Overdue => "Reply still not published: Apple's review is taking longer than expected.",
        _ => "The reviewer edited the review after this reply: check that the reply still fits.",
    };
}
