using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Apps;

/// <summary>
/// Uniqueness of (platform, store app id) inside an account: a row in the app's own partition, written in the same
/// transaction as the app. Its RowKey starts with '~', which sorts after every app id, so listing apps skips it.
/// </summary>
internal sealed class AppStoreIdIndexEntity : ITableEntity
{
    public const string Prefix = "~store|";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AppId { get; set; } = string.Empty;

    public static string KeyFor(string platform, string storeAppId) => $"{Prefix}{platform}|{storeAppId}";
}
