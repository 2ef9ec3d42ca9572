using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>One version of a reply: who asked for what, when, and what became of it. PartitionKey = appId, RowKey =
/// "{reviewId}|{version:D10}".</summary>
internal sealed class ReplyVersionEntity : TableRow
{
    public string AccountId { get; set; } = string.Empty;
    public string ReviewId { get; set; } = string.Empty;
    public int Version { get; set; }
    public string Action { get; set; } = nameof(ReplyAction.Publish);
    public string? Body { get; set; }
    public string RequestedBy { get; set; } = string.Empty;
    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>The rule that wrote this version automatically; null for a person's version.</summary>
    public string? RuleId { get; set; }

    /// <summary>
    /// Where the version came from when not the SPA: <c>slack</c>, or <c>draft</c> (an approved draft).
    /// </summary>
    public string? Via { get; set; }
    public string Outcome { get; set; } = nameof(ReplyOutcome.Queued);
    public string? OutcomeReason { get; set; }
    public DateTimeOffset? OutcomeAt { get; set; }

    public static string KeyFor(string reviewId, int version) => $"{reviewId}|{version:D10}";

    /// <summary>The row-key range holding every version of one review's reply.</summary>
    public static (string From, string To) RangeFor(string reviewId) => ($"{reviewId}|", $"{reviewId}}}");
}
