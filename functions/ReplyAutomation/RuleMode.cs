namespace ReviewHub.ReplyAutomation;

/// <summary>What a rule does with a review it matches.</summary>
internal enum RuleMode
{
    /// <summary>Write a draft that an approver approves (optionally edited) or rejects.</summary>
    Draft,
    /// <summary>Send the reply to the store at once.</summary>
    Post,
}
