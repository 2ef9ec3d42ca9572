using ReviewHub.Http;

namespace ReviewHub.Replies;

/// <summary>PUT body: the reply text.</summary>
internal sealed record PutReplyRequest(string? Body) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.Required(Body, "body", ReplyOptions.MaxBodyLength);
}

/// <summary>The reply as the SPA reads it.</summary>
internal sealed record ReplyResponse(
    string ReviewId,
    ReplyStatus Status,
    ReplyAction PendingAction,
    string? Body,
    int Version,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? PublishedAt,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    ReplyFailure? FailureCode,
    string? FailureReason,
    bool Overdue,
    DateTimeOffset? OverdueAt,
    DateTimeOffset UpdatedAt,
    string? RuleId = null,
    DateTimeOffset? OutdatedAt = null)
{
    public static ReplyResponse From(ReplyEntity reply) => new(
        reply.ReviewId, reply.StatusValue, reply.ActionValue, reply.Body, reply.Version, reply.RequestedBy,
            reply.RequestedAt,
        reply.SentAt, reply.PublishedAt, reply.Attempts, reply.NextAttemptAt, reply.LastError,
        reply.FailureCode is null ? null : Enum.Parse<ReplyFailure>(reply.FailureCode), reply.FailureReason,
        reply.Overdue, reply.OverdueAt, reply.UpdatedAt, reply.RuleId, reply.OutdatedAt);
}

/// <summary>One version in the audit trail.</summary>
internal sealed record ReplyVersionResponse(
    int Version, ReplyAction Action, string? Body, string RequestedBy, DateTimeOffset RequestedAt,
    ReplyOutcome Outcome, string? OutcomeReason, DateTimeOffset? OutcomeAt, string? RuleId = null, string? Via = null)
{
    public static ReplyVersionResponse From(ReplyVersionEntity version) => new(
        version.Version, Enum.Parse<ReplyAction>(version.Action), version.Body, version.RequestedBy,
            version.RequestedAt,
        Enum.Parse<ReplyOutcome>(version.Outcome), version.OutcomeReason, version.OutcomeAt, version.RuleId,
        version.Via);
}
