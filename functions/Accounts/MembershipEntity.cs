using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Accounts;

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
