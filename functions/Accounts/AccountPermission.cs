namespace ReviewHub.Accounts;

/// <summary>What a request needs a member's role to allow (see docs/replies.md, "Roles").</summary>
internal enum AccountPermission
{
    /// <summary>Read anything of the account.</summary>
    Read,
    /// <summary>Write, edit or delete replies and templates; reply from Slack.</summary>
    WriteReplies,
    /// <summary>
    /// Approve or reject drafts; create, change or delete reply rules (they reply on the team's behalf).
    /// </summary>
    ApproveReplies,
}
