using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Accounts;

/// <summary>A customer team. PartitionKey = accountId, RowKey = "account".</summary>
public sealed class AccountEntity : ITableEntity
{
    public const string Row = "account";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = string.Empty;
    public string OwnerEmail { get; set; } = string.Empty;
    public string OwnerUserId { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }

    [IgnoreDataMember]
    public string AccountId => PartitionKey;
}

/// <summary>Who may use an account. PartitionKey = accountId, RowKey = userId: the tenancy check is one point
/// read.</summary>
public sealed class MembershipEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Role { get; set; } = MemberRoles.Member;
    public string? Email { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>Index of a user's accounts. PartitionKey = userId, RowKey = accountId. Written before the membership it
/// mirrors.</summary>
public sealed class UserAccountEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}

/// <summary>
/// What a member may do in an account. The account row names its one owner, who may do everything; every other member
/// holds one of the roles below (<see cref="Member"/> for anyone added before roles existed, so they keep writing).
/// </summary>
public static class MemberRoles
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

/// <summary>What a request needs a member's role to allow (see docs/replies.md, "Roles").</summary>
public enum AccountPermission
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
