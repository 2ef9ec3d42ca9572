using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Accounts;

/// <summary>Index of a user's accounts. PartitionKey = userId, RowKey = accountId. Written before the membership it
/// mirrors.</summary>
public sealed class UserAccountEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}
