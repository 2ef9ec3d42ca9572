using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// An app a connection's key sees in App Store Connect. PartitionKey = accountId, RowKey = "{connectionId}|{ascAppId}".
/// <see cref="LinkedAppIds"/> names the account's registered apps with that App Store id (a universal purchase may
/// be registered as an iOS and a macOS app).
/// </summary>
internal sealed class ConnectionAppEntity : TableRow
{
    public string ConnectionId { get; set; } = string.Empty;
    public string AscAppId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string BundleId { get; set; } = string.Empty;

    /// <summary>Comma-separated Apple platforms (IOS, MAC_OS, TV_OS, VISION_OS).</summary>
    public string Platforms { get; set; } = string.Empty;

    public DateTimeOffset SeenAt { get; set; }

    /// <summary>Comma-separated ReviewHub app ids linked to this App Store app; empty when none is
    /// registered.</summary>
    public string LinkedAppIds { get; set; } = string.Empty;

    [IgnoreDataMember]
    public IReadOnlyList<string> PlatformList => Platforms.Split(',', StringSplitOptions.RemoveEmptyEntries);

    [IgnoreDataMember]
    public IReadOnlyList<string> LinkedAppIdList => LinkedAppIds.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public static string KeyFor(string connectionId, string ascAppId) => $"{connectionId}|{ascAppId}";
}
