using System.ComponentModel.DataAnnotations;

namespace ReviewHub.GooglePlay;

/// <summary>Google Play Developer API settings, bound from <c>GooglePlay__*</c>.</summary>
internal sealed class GooglePlayOptions
{
    public const string Section = "GooglePlay";

    /// <summary>The only OAuth scope of the Android Publisher API.</summary>
    public const string Scope = "https://www.googleapis.com/auth/androidpublisher";

    /// <summary>
    /// The longest reply Play accepts: "Replies of more than approximately 350 characters will be rejected"
    /// (discovery document, <c>ReviewsReplyRequest.replyText</c>). Counted in Unicode code points, the strictest
    /// reading of "approximately" that never sends Play a reply it may reject.
    /// </summary>
    public const int MaxReplyLength = 350;

    /// <summary>API root; tests point it at the fake server.</summary>
    [Required, Url]
    public string BaseUrl { get; set; } = "https://androidpublisher.googleapis.com/";

    /// <summary>
    /// Where service-account JWTs are exchanged for access tokens. Taken from configuration, never from the key file's
    /// <c>token_uri</c>: a key file naming another URL would otherwise receive our signed assertions.
    /// </summary>
    [Required, Url]
    public string TokenUrl { get; set; } = "https://oauth2.googleapis.com/token";

    /// <summary>Working days the customer has, after "I've invited", for the grant to reach Play's API (the business
    /// calendar of <c>Integrations__BusinessTimeZone</c> and <c>Integrations__Holidays</c>).</summary>
    [Range(1, 30)]
    public int ConnectionWorkingDays { get; set; } = 3;

    /// <summary>First wait between verification reads; it doubles up to <see cref="VerifyMaxInterval"/> (a grant
    /// takes hours, sometimes two days, to propagate).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan VerifyFirstInterval { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan VerifyMaxInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Per-attempt timeout of API and token calls.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}
