namespace ReviewHub.Reviews;

/// <summary>Where a review came from.</summary>
internal static class ReviewSources
{
    /// <summary>Apple's public customer-reviews RSS/JSON feed (no integration).</summary>
    public const string Feed = "feed";

    /// <summary>The App Store Connect API (active integration).</summary>
    public const string AppStoreConnect = "asc";

    /// <summary>The Google Play Developer API (an Android app's connected service account).</summary>
    public const string GooglePlay = "googlePlay";

    /// <summary>The store a review of this source was written in (<see cref="Apps.Stores"/>).</summary>
    public static string StoreOf(string source) => source == GooglePlay ? Apps.Stores.GooglePlay : Apps.Stores.AppStore;

    /// <summary>The source a newly registered app of <paramref name="store"/> is scheduled with.</summary>
    public static string InitialFor(string store) => store == Apps.Stores.GooglePlay ? GooglePlay : Feed;
}
