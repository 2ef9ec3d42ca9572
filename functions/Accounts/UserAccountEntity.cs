using ReviewHub.Storage;

namespace ReviewHub.Accounts;

/// <summary>Index of a user's accounts. PartitionKey = userId, RowKey = accountId. Written before the membership it
/// mirrors.</summary>
internal sealed class UserAccountEntity : TableRow
{
}
