using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Apps;

/// <summary>A registered app. PartitionKey = accountId, RowKey = appId.</summary>
public sealed class AppEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

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
    /// which runs <see cref="AppRemovalFunction.FinalPurgeAfter"/> later (see there why).
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

/// <summary>
/// Uniqueness of (platform, store app id) inside an account: a row in the app's own partition, written in the same
/// transaction as the app. Its RowKey starts with '~', which sorts after every app id, so listing apps skips it.
/// </summary>
public sealed class AppStoreIdIndexEntity : ITableEntity
{
    public const string Prefix = "~store|";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AppId { get; set; } = string.Empty;

    public static string KeyFor(string platform, string storeAppId) => $"{Prefix}{platform}|{storeAppId}";
}

public static class Platforms
{
    public const string Ios = "ios";
    public const string MacOs = "macos";
    public const string Android = "android";

    public static readonly IReadOnlyList<string> All = [Ios, MacOs, Android];
}

/// <summary>The store an app's reviews come from: Apple's App Store (iOS, macOS) or Google Play (Android).</summary>
public static class Stores
{
    public const string AppStore = "appStore";
    public const string GooglePlay = "googlePlay";

    public static readonly IReadOnlyList<string> All = [AppStore, GooglePlay];

    public static string Of(string platform) => platform == Platforms.Android ? GooglePlay : AppStore;

    /// <summary>The store's name as people read it (channels show it with every review).</summary>
    public static string DisplayName(string store) => store == GooglePlay ? "Google Play" : "App Store";
}
