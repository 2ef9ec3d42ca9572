using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Delivery;

/// <summary>Delivery settings, bound from <c>Delivery__*</c> (see docs/delivery.md).</summary>
internal sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>The SPA's address; messages link to
    /// <c>{SpaBaseUrl}/accounts/{accountId}/apps/{appId}/reviews/{reviewId}</c>.</summary>
    [Required, Url]
    public string SpaBaseUrl { get; set; } = string.Empty;

    /// <summary>Slack Web API base; tests point it at the fake.</summary>
    [Required, Url]
    public string SlackApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>Zendesk API base; <c>{subdomain}</c> is replaced by the route's subdomain.</summary>
    [Required]
    public string ZendeskBaseUrlTemplate { get; set; } = "https://{subdomain}.zendesk.com/";

    /// <summary>A unit of work with more matching reviews than this becomes one digest message (Slack); email is always
    /// a digest.</summary>
    [Range(1, 50)]
    public int DigestThreshold { get; set; } = 5;

    /// <summary>Slack allows about one message per second per channel; the worker paces itself to this
    /// interval.</summary>
    public TimeSpan SlackMessageInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claimed (review, route) stays reserved for its sender; after that another attempt may take
    /// it over.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Per-attempt timeout of a channel call.</summary>
    public TimeSpan ChannelTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a unit of work may be postponed (rate limited, or in flight elsewhere) before it fails into
    /// the poison queue.</summary>
    [Range(0, 100)]
    public int MaxDeferrals { get; set; } = 10;

    /// <summary>Test messages one route may send per <see cref="TestMessageWindow"/>.</summary>
    [Range(1, 1000)]
    public int TestMessagesPerRoute { get; set; } = 5;

    /// <summary>Test messages one account may send per <see cref="TestMessageWindow"/>, across its routes.</summary>
    [Range(1, 10_000)]
    public int TestMessagesPerAccount { get; set; } = 30;

    public TimeSpan TestMessageWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Development and tests only: accept http:// and loopback webhook URLs.</summary>
    public bool AllowInsecureWebhooks { get; set; }
}
