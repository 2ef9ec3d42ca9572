using ReviewHub.Replies;

namespace ReviewHub.Delivery;

/// <summary>The reply as it was when the event happened (a later state must not rewrite an earlier event).</summary>
internal sealed record ReplySnapshot(
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
