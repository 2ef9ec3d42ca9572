using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Slack;

/// <summary>Replying from Slack, bound from <c>Slack__*</c>.</summary>
internal sealed class SlackOptions
{
    public const string Section = "Slack";

    /// <summary>
    /// The Slack app's signing secret (Basic Information page): verifies interactivity requests and signs account-link
    /// tokens. In Azure a Key Vault reference (<c>slack-signing-secret</c>). Unset: review messages carry no Reply
    /// button and the interactivity endpoint answers 404.
    /// </summary>
    public string? SigningSecret { get; set; }

    /// <summary>How old a signed request may be (Slack's SDKs: 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:10:00")]
    public TimeSpan RequestMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a "link your Slack user" link stays valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Where a <c>response_url</c> may point (Slack's, <c>https://hooks.slack.com/</c>): ReviewHub posts nowhere else,
    /// whatever a request says.
    /// </summary>
    [Required]
    public string ResponseUrlBase { get; set; } = "https://hooks.slack.com/";

    /// <summary>Template quick picks on a review message (the account's first templates by name).</summary>
    [Range(0, 4)]
    public int QuickPicks { get; set; } = 3;

    public bool Enabled => !string.IsNullOrEmpty(SigningSecret);
}
