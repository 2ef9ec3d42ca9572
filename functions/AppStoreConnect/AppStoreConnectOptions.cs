using System.ComponentModel.DataAnnotations;

namespace ReviewHub.AppStoreConnect;

/// <summary>App Store Connect API settings, bound from <c>AppStoreConnect__*</c>.</summary>
internal sealed class AppStoreConnectOptions
{
    public const string Section = "AppStoreConnect";

    /// <summary>API root; tests point it at the fake server.</summary>
    [Required, Url]
    public string BaseUrl { get; set; } = "https://api.appstoreconnect.apple.com";

    /// <summary>JWT lifetime. Apple rejects tokens living longer than 20 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "00:20:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(19);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}
