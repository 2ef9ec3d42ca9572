using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Apps;

/// <summary>A registered app. PartitionKey = accountId, RowKey = appId.</summary>
internal sealed class AppEntity : TableRow
{
    /// <summary>The numeric Apple ID of an App Store app, or the package name of an Android app.</summary>
    public string StoreAppId { get; set; } = string.Empty;
    public string Platform { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// Comma-separated ISO alpha-3 territory codes (tables have no list type). App Store apps only: Play serves an
    /// app's reviews from all countries through one list, so an Android app has none.
    /// </summary>
    public string Territories { get; set; } = string.Empty;

    /// <summary>
    /// Android apps only: the language Google Play translates reviews into (<c>translationLanguage</c>, e.g.
    /// <c>en</c> or <c>en_GB</c>); null: reviews as written.
    /// </summary>
    public string? TranslationLanguage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Set when the app is removed; its data is purged in the background and the row deleted by the last purge pass,
    /// which runs <see cref="AppRemovalFunctions.FinalPurgeAfter"/> later (see there why).
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }

    [IgnoreDataMember]
    public string AccountId => PartitionKey;
    [IgnoreDataMember]
    public string AppId => RowKey;
    [IgnoreDataMember]
    public bool IsDeleted => DeletedAt is not null;

    [IgnoreDataMember]
    public string Store => Stores.Of(Platform);

    [IgnoreDataMember]
    public IReadOnlyList<string> TerritoryList => Territories.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
