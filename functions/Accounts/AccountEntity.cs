using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Accounts;

/// <summary>A customer team. PartitionKey = accountId, RowKey = "account".</summary>
internal sealed class AccountEntity : ITableEntity
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
