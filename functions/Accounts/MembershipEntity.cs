using ReviewHub.Storage;

namespace ReviewHub.Accounts;

/// <summary>Who may use an account. PartitionKey = accountId, RowKey = userId: the tenancy check is one point
/// read.</summary>
internal sealed class MembershipEntity : TableRow
{
    public string Role { get; set; } = MemberRoles.Member;
    public string? Email { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}
