namespace ReviewHub.Accounts;

/// <summary>
/// What a member may do in an account. The account row names its one owner, who may do everything; every other member
/// holds one of the roles below (<see cref="Member"/> for anyone added before roles existed, so they keep writing).
/// </summary>
internal static class MemberRoles
{
    public const string Owner = "owner";

    /// <summary>Approves drafts and manages reply rules, besides everything a member does.</summary>
    public const string Approver = "approver";

    /// <summary>Writes, edits and deletes replies and templates; reads everything.</summary>
    public const string Member = "member";

    /// <summary>Reads the account's apps, reviews and replies; changes nothing.</summary>
    public const string Reader = "reader";

    /// <summary>The roles the owner may give; ownership itself moves only through the ownership transfer.</summary>
    public static readonly IReadOnlyList<string> Assignable = [Approver, Member, Reader];

    /// <summary>
    /// Whether <paramref name="role"/> (as the account row decides it for the owner) allows
    /// <paramref name="permission"/>.
    /// </summary>
    public static bool Allows(string role, AccountPermission permission) => permission switch
    {
        AccountPermission.Read => role is Owner or Approver or Member or Reader,
        AccountPermission.WriteReplies => role is Owner or Approver or Member,
        AccountPermission.ApproveReplies => role is Owner or Approver,
        _ => false,
    };
}
