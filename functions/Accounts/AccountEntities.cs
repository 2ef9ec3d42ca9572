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

/// <summary>Who may use an account. PartitionKey = accountId, RowKey = userId: the tenancy check is one point read.</summary>
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

/// <summary>Index of a user's accounts. PartitionKey = userId, RowKey = accountId. Written before the membership it mirrors.</summary>
public sealed class UserAccountEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}

public static class MemberRoles
{
    public const string Owner = "owner";
    public const string Member = "member";
}
