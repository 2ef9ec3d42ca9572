using ReviewHub.Storage;

namespace ReviewHub.ReplyAutomation;

/// <summary>A draft a rule wrote, waiting for an approver. PartitionKey = appId, RowKey = reviewId.</summary>
internal sealed class ReplyDraftEntity : TableRow
{
    public string AccountId { get; set; } = string.Empty;
    public string Body { get; set; } = string.Empty;
    public string RuleId { get; set; } = string.Empty;
    public string TemplateId { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Why a post rule wrote a draft instead (the integration could not send it then); null otherwise.
    /// </summary>
    public string? Note { get; set; }
}
