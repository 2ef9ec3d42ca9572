namespace ReviewHub.Apps;

/// <summary>The store an app's reviews come from: Apple's App Store (iOS, macOS) or Google Play (Android).</summary>
internal static class Stores
{
    public const string AppStore = "appStore";
    public const string GooglePlay = "googlePlay";

    public static readonly IReadOnlyList<string> All = [AppStore, GooglePlay];

    public static string Of(string platform) => platform == Platforms.Android ? GooglePlay : AppStore;

    /// <summary>The store's name as people read it (channels show it with every review).</summary>
    public static string DisplayName(string store) => store == GooglePlay ? "Google Play" : "App Store";
}
