using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// Which connection serves an app. PartitionKey = accountId, RowKey = "app|{appId}" (the same table, so the catalogue
/// and the links of an account sit in one partition).
/// </summary>
internal sealed class AppConnectionLinkEntity : TableRow
{
    public const string Prefix = "app|";

    public string ConnectionId { get; set; } = string.Empty;
    public string AscAppId { get; set; } = string.Empty;

    [IgnoreDataMember]
    public string AppId => RowKey[Prefix.Length..];
}
