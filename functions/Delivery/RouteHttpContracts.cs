using System.Text.RegularExpressions;
using ReviewHub.Http;

namespace ReviewHub.Delivery;

internal sealed record RouteFilters(IReadOnlyList<int>? Ratings, IReadOnlyList<string>? Territories);

/// <summary>
/// Creates a route. Credentials by channel: Slack <c>slackBotToken</c> (xoxb-…); Zendesk <c>zendeskEmail</c> +
/// <c>zendeskApiToken</c>; webhook: none, the signing secret is generated and returned once; email: none.
/// </summary>
internal sealed record CreateRouteRequest(
    string? Channel, string? Name, string? Target, RouteFilters? Filters, bool? Enabled,
    string? SlackBotToken, string? ZendeskEmail, string? ZendeskApiToken, IReadOnlyList<string>? ReplyEvents = null)
    : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        RouteRules.ValidateCommon(Name, Filters, errors);
        if (RouteRules.TryParseChannel(Channel, errors) is { } channel)
        {
            RouteRules.ValidateReplyEvents(channel, ReplyEvents, errors);
            RouteRules.ValidateTarget(channel, Target, errors);
            RouteRules.ValidateCredentials(channel, new RouteCredentials(SlackBotToken, ZendeskEmail, ZendeskApiToken),
                required: true, errors);
        }
    }

    public RouteCredentials Credentials => new(SlackBotToken, ZendeskEmail, ZendeskApiToken);
}

/// <summary>Changes a route; absent fields keep their value. The channel cannot change (delete and create
/// instead).</summary>
internal sealed record UpdateRouteRequest(
    string? Name, string? Target, RouteFilters? Filters, bool? Enabled,
    string? SlackBotToken, string? ZendeskEmail, string? ZendeskApiToken, bool? RotateSigningSecret,
    IReadOnlyList<string>? ReplyEvents = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is null && Target is null && Filters is null && Enabled is null && SlackBotToken is null
            && ZendeskEmail is null && ZendeskApiToken is null && RotateSigningSecret is null && ReplyEvents is null)
        {
            errors.Add("body",
                "Send at least one of: name, target, filters, enabled, credentials, rotateSigningSecret, replyEvents.");
        }
        RouteRules.ValidateCommon(Name, Filters, errors);
    }

    /// <summary>
    /// The rules that depend on the route being changed (its channel cannot change): the target and credentials of
    /// that channel, and a signing-secret rotation only for webhooks. The body's own rules ran in
    /// <see cref="Validate"/>.
    /// </summary>
    public ValidationErrors ValidateFor(DeliveryChannel channel)
    {
        var errors = new ValidationErrors();
        if (Target is not null)
        {
            RouteRules.ValidateTarget(channel, Target, errors);
        }
        RouteRules.ValidateCredentials(channel, Credentials, required: false, errors);
        RouteRules.ValidateReplyEvents(channel, ReplyEvents, errors);
        if (RotateSigningSecret == true && channel != DeliveryChannel.Webhook)
        {
            errors.Add("rotateSigningSecret", "applies to webhook routes only.");
        }
        return errors;
    }

    public RouteCredentials Credentials => new(SlackBotToken, ZendeskEmail, ZendeskApiToken);

    public bool ChangesCredentials => SlackBotToken is not null || ZendeskEmail is not null || ZendeskApiToken
        is not null;
}

internal sealed record RouteCredentials(string? SlackBotToken, string? ZendeskEmail, string? ZendeskApiToken);

/// <summary>A route as the API shows it: never a secret, except <see cref="SigningSecret"/> right after it was
/// generated.</summary>
internal sealed record RouteResponse(
    string RouteId, string AppId, string Channel, string? Name, string Target, RouteFilters Filters, bool Enabled,
    string Status, string? BrokenReason, DateTimeOffset? BrokenAt, bool HasCredentials, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> ReplyEvents, string? SigningSecret = null)
{
    public static RouteResponse From(RouteEntity route, string? signingSecret = null) => new(
        route.RouteId, route.AppId, route.Channel.ToLowerInvariant(), route.Name, route.Target,
        new RouteFilters(route.RatingList, route.TerritoryList), route.Enabled, route.Status.ToLowerInvariant(),
        route.BrokenReason,
        route.BrokenAt, route.SecretReference is not null, route.CreatedAt, route.UpdatedAt, route.ReplyEventList,
        signingSecret);
}

/// <summary>What a test message did: the channel's id for it (Slack ts, ticket id, email or webhook message
/// id).</summary>
internal sealed record TestMessageResponse(bool Delivered, string? ExternalId);

internal static partial class RouteRules
{
    public const int MaxRecipients = 20;

    public static DeliveryChannel? TryParseChannel(string? value, ValidationErrors errors)
    {
        if (errors.Required(value, "channel", 20) && Enum.TryParse<DeliveryChannel>(value, ignoreCase: true,
            out var channel)
            && !int.TryParse(value, out _))
        {
            return channel;
        }
        if (!string.IsNullOrWhiteSpace(value))
        {
            errors.Add("channel", "must be one of: slack, email, zendesk, webhook.");
        }
        return null;
    }

    public static void ValidateCommon(string? name, RouteFilters? filters, ValidationErrors errors)
    {
        if (name is not null)
        {
            errors.SingleLine(name, "name", 100);
        }
        if (filters?.Ratings is { } ratings && ratings.Any(r => r is < 1 or > 5))
        {
            errors.Add("filters.ratings", "must be star ratings from 1 to 5.");
        }
        foreach (var code in filters?.Territories?.Where(c => !Apps.Territories.IsKnown(c)) ?? [])
        {
            errors.Add("filters.territories",
                $"'{code}' is not an App Store territory (ISO 3166 alpha-3, upper case).");
        }
    }

    /// <summary>
    /// Reply events a route may subscribe to: known names, no repeats; email routes carry new reviews only (a reply's
    /// life is told where a team works on it: Slack, Zendesk, webhooks).
    /// </summary>
    public static void ValidateReplyEvents(
        DeliveryChannel channel, IReadOnlyList<string>? events, ValidationErrors errors)
    {
        if (events is null)
        {
            return;
        }
        if (channel == DeliveryChannel.Email && events.Count > 0)
        {
            errors.Add("replyEvents", "email routes carry new reviews only; use Slack, Zendesk or a webhook.");
            return;
        }
        foreach (var name in events.Where(e => ReplyEventTypes.Parse(e) is null))
        {
            errors.Add("replyEvents",
                $"'{name}' is not a reply event; use {string.Join(", ", ReplyEventTypes.Names)}.");
        }
        if (events.Count != events.Distinct(StringComparer.Ordinal).Count())
        {
            errors.Add("replyEvents", "must not name the same event twice.");
        }
    }

    public static string JoinReplyEvents(IEnumerable<string>? events) =>
        string.Join(',', (events ?? []).Select(ReplyEventTypes.Parse).OfType<ReplyEventKind>().Distinct().Order()
            .Select(ReplyEventTypes.Name));

    public static void ValidateTarget(DeliveryChannel channel, string? target, ValidationErrors errors)
    {
        if (!errors.Required(target, "target", 2000))
        {
            return;
        }
        switch (channel)
        {
            case DeliveryChannel.Slack when !SlackChannelId().IsMatch(target):
                errors.Add("target",
                    "must be a Slack channel id such as C0123456789 (channel details → copy channel ID).");
                break;
            case DeliveryChannel.Email:
                var recipients = SplitRecipients(target);
                if (recipients.Count is 0 or > MaxRecipients)
                {
                    errors.Add("target",
                        $"must list between 1 and {MaxRecipients} email addresses, separated by commas.");
                }
                if (recipients.Count != recipients.Distinct(StringComparer.OrdinalIgnoreCase).Count())
                {
                    errors.Add("target", "must not list the same address twice.");
                }
                foreach (var recipient in recipients)
                {
                    errors.Email(recipient, "target");
                }
                break;
            case DeliveryChannel.Zendesk when !ZendeskSubdomain().IsMatch(target):
                errors.Add("target", "must be your Zendesk subdomain, e.g. 'acme' for acme.zendesk.com.");
                break;
            case DeliveryChannel.Webhook:
                if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
                    || !string.IsNullOrEmpty(uri.UserInfo))
                {
                    errors.Add("target", "must be an absolute https URL without credentials.");
                }
                break;
        }
    }

    /// <summary>
    /// Webhooks go to the customer's server from ours: only https, to a DNS name with a dot or a global unicast IP
    /// literal (unless development settings allow anything), so a route cannot probe our own network. The connect-time
    /// guard (<see cref="WebhookConnectGuard"/>) checks the resolved addresses again on every send.
    /// </summary>
    public static void ValidateWebhookPolicy(string target, bool allowInsecure, ValidationErrors errors)
    {
        if (allowInsecure || !Uri.TryCreate(target, UriKind.Absolute, out var uri))
        {
            return;
        }
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add("target", "must be an https URL.");
        }
        else if (uri.IsLoopback
            || (WebhookAddresses.Literal(uri.Host) is { } ip
                ? !WebhookAddresses.IsGlobalUnicast(ip)
                : !uri.IdnHost.Contains('.', StringComparison.Ordinal)))
        {
            errors.Add("target", "must be a public address.");
        }
    }

    public static void ValidateCredentials(DeliveryChannel channel, RouteCredentials credentials, bool required,
        ValidationErrors errors)
    {
        switch (channel)
        {
            case DeliveryChannel.Slack when required || credentials.SlackBotToken is not null:
                if (errors.Required(credentials.SlackBotToken, "slackBotToken", 255)
                    && !credentials.SlackBotToken.StartsWith("xoxb-", StringComparison.Ordinal))
                {
                    errors.Add("slackBotToken", "must be a Slack bot token (xoxb-…) with the chat:write scope.");
                }
                break;
            case DeliveryChannel.Zendesk:
                // On update either half may change alone; the other is kept.
                if (required || credentials.ZendeskEmail is not null)
                {
                    errors.Email(credentials.ZendeskEmail, "zendeskEmail");
                }
                if (required || credentials.ZendeskApiToken is not null)
                {
                    errors.Required(credentials.ZendeskApiToken, "zendeskApiToken", 255);
                }
                break;
        }
    }

    public static IReadOnlyList<string> SplitRecipients(string target) =>
        target.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string NormaliseTarget(DeliveryChannel channel, string target) =>
        channel == DeliveryChannel.Email ? string.Join(", ", SplitRecipients(target)) : target.Trim();

    public static string JoinRatings(IEnumerable<int>? ratings) => string.Join(',', (ratings ?? []).Distinct().Order());

    public static string JoinTerritories(IEnumerable<string>? territories) => string.Join(',',
        (territories ?? []).Distinct(StringComparer.Ordinal));

    [GeneratedRegex("^[CGD][A-Z0-9]{8,20}$")]
    private static partial Regex SlackChannelId();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex ZendeskSubdomain();
}
