using System.ComponentModel.DataAnnotations;

namespace ReviewHub.ReplyAutomation;

/// <summary>Reply rules, bound from <c>ReplyAutomation__*</c>.</summary>
internal sealed class ReplyAutomationOptions
{
    public const string Section = "ReplyAutomation";

    /// <summary>
    /// Replies and drafts the rules of one app may write per UTC day until its settings say otherwise.
    /// </summary>
    [Range(0, ReplyAutomationRequest.MaxDailyCap)]
    public int DefaultDailyCap { get; set; } = 20;

    /// <summary>Reviews one "apply to the last N days" request reads at most (newest first).</summary>
    [Range(1, 100_000)]
    public int MaxReviewsPerApply { get; set; } = 2000;
}
