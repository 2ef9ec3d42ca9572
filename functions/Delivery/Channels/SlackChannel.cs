using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Text;

namespace ReviewHub.Delivery;

/// <summary>
/// Slack's Web API over HttpClient (JSON bodies, bearer bot token): <c>chat.postMessage</c>, <c>chat.update</c>,
/// <c>views.open</c>, and posts to an interaction's <c>response_url</c>. Maps Slack's <c>ok:false</c> codes.
/// </summary>
public sealed class SlackClient(HttpClient http)
{
    /// <summary>Codes that need the customer to act (token, scopes, channel membership): the route is broken.</summary>
    private static readonly HashSet<string> BrokenCodes =
    [
        "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired", "missing_scope",
        "channel_not_found", "not_in_channel", "is_archived", "restricted_action", "ekm_access_denied",
            "team_not_found",
    ];

    /// <summary>Posts a message, in the thread of <paramref name="threadTs"/> when given; returns its <c>ts</c>.
    /// </summary>
    public async Task<string> PostMessageAsync(string token, string channel, string text, JsonArray blocks,
        CancellationToken cancellationToken, string? threadTs = null)
    {
        var payload = new JsonObject
        {
            ["channel"] = channel,
            ["text"] = text,
            ["blocks"] = blocks,
            ["unfurl_links"] = false,
            ["unfurl_media"] = false,
        };
        if (threadTs is not null)
        {
            payload["thread_ts"] = threadTs;
        }
        using var body = await CallAsync("chat.postMessage", token, payload, cancellationToken);
        var root = body.RootElement;
        return root.TryGetProperty("ts", out var ts) && ts.ValueKind == JsonValueKind.String
            ? ts.GetString()!
            : string.Empty;
    }

    /// <summary>Replaces the text and blocks of a message the bot posted.</summary>
    public async Task UpdateMessageAsync(
        string token, string channel, string ts, string text, JsonArray blocks, CancellationToken cancellationToken)
    {
        var payload = new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text, ["blocks"] = blocks };
        using var _ = await CallAsync("chat.update", token, payload, cancellationToken);
    }

    /// <summary>
    /// Opens a modal for the user whose click carried <paramref name="triggerId"/> (once, within 3 s).
    /// </summary>
    public async Task OpenViewAsync(string token, string triggerId, JsonObject view,
        CancellationToken cancellationToken)
    {
        var payload = new JsonObject { ["trigger_id"] = triggerId, ["view"] = view };
        using var _ = await CallAsync("views.open", token, payload, cancellationToken);
    }

    /// <summary>Posts to an interaction's <c>response_url</c> (no token: the URL is the credential).</summary>
    public async Task RespondAsync(Uri responseUrl, JsonObject message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, responseUrl)
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await ChannelHttp.SendAsync(http, request, "Slack", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new ChannelException($"Slack's response_url answered HTTP {(int)response.StatusCode}.");
        }
    }

    private async Task<JsonDocument> CallAsync(
        string method, string token, JsonObject payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await ChannelHttp.SendAsync(http, request, "Slack", cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new ChannelException("Slack rate limited the channel.", retryAfter: RetryAfter.Of(response.Headers));
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new ChannelException($"Slack answered HTTP {(int)response.StatusCode}.");
        }

        var body = await ChannelHttp.ReadJsonObjectAsync(response, "Slack", cancellationToken);
        var root = body.RootElement;
        if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
        {
            return body;
        }
        var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()!
            : "unknown_error";
        body.Dispose();
        if (error is "ratelimited" or "rate_limited")
        {
            throw new ChannelException("Slack rate limited the channel.",
                retryAfter: RetryAfter.Of(response.Headers) ?? TimeSpan.FromSeconds(1));
        }
        throw new ChannelException($"Slack refused {method}: {error}.",
            routeBroken: BrokenCodes.Contains(error) || error.StartsWith("restricted_action",
                StringComparison.Ordinal));
    }
}

/// <summary>
/// Slack: one Block Kit message per review, or one digest above <see cref="DeliveryOptions.DigestThreshold"/>; paced to
/// about one message per second per channel (Slack's limit for chat.postMessage). A 429's Retry-After is waited for in
/// the client up to <c>OutboundHttp__MaxRetryAfterWait</c>; a longer one postpones the work through the queue.
/// </summary>
public sealed class SlackChannel(
    SlackClient client, RouteStore routes, SlackPacer pacer, Slack.SlackReplyBlocks replyBlocks, TimeProvider clock,
    IOptions<DeliveryOptions> options)
    : IDeliveryChannel, IReplyEventChannel
{
    public const int DigestListed = 10;

    public DeliveryChannel Channel => DeliveryChannel.Slack;

    public bool SendsDigest(int reviewCount) => reviewCount > options.Value.DigestThreshold;

    public async Task<string?> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var token = await TokenAfterPacingAsync(send.Route, cancellationToken);
        var blocks = Blocks(send);
        // One review: a Reply button and template quick picks, when replying from Slack is set up.
        if (send.Reviews.Count == 1 && await replyBlocks.ActionsAsync(send.Route.AccountId, send.App.AppId,
            send.Route.RouteId, send.Reviews[0].ReviewId, cancellationToken) is { } actions)
        {
            blocks.Add(actions);
        }
        return await client.PostMessageAsync(token, send.Route.Target, FallbackText(send), blocks, cancellationToken);
    }

    /// <summary>
    /// A reply event is a reply in the thread of the review's message (its <c>ts</c> from the ledger): the message
    /// itself is already rewritten with the reply's current state (<see cref="Slack.SlackMessageUpdater"/>), the
    /// thread keeps the timeline and notifies the people in it. A review this route never announced gets a message
    /// of its own that names it.
    /// </summary>
    public async Task<string?> SendReplyEventAsync(ReplyEventSend send, CancellationToken cancellationToken)
    {
        var token = await TokenAfterPacingAsync(send.Route, cancellationToken);
        var review = send.Review;
        var line = Escape(ReplyEventText.Line(send.Event));
        var text = send.ReviewMessageId is null
            ? $"{line}\n_{Escape(ReviewText.Heading(review))}_ · <{review.Url}|Open in ReviewHub>"
            : $"{line} <{review.Url}|Open in ReviewHub>";
        if (send.Event.Kind == ReplyEventKind.Outdated || send.Event.Kind == ReplyEventKind.Sent)
        {
            text += $"\n>{DisplayText.Truncate(DisplayText.OneLine(send.Event.Reply.Body ?? ""), 500, Escape)}";
        }
        var blocks = new JsonArray { Section(DisplayText.Truncate(text, SectionTextLimit), "reply_event") };
        return await client.PostMessageAsync(token, send.Route.Target,
            DisplayText.Truncate(ReplyEventText.Line(send.Event), 300, Escape), blocks, cancellationToken,
            send.ReviewMessageId);
    }

    /// <summary>The route's bot token, once this instance's pacing for the channel allows the next message.</summary>
    private async Task<string> TokenAfterPacingAsync(RouteEntity route, CancellationToken cancellationToken)
    {
        var token = await routes.GetSecretAsync(route, cancellationToken)
            ?? throw new ChannelException("The route's Slack token is missing; update the route with a new token.",
                routeBroken: true);
        var wait = pacer.Reserve(route.Target, options.Value.SlackMessageInterval);
        if (wait > options.Value.ClaimLease / 4)
        {
            // This instance has a long line for the channel: come back later rather than sit on claims until their
            // lease runs out.
            throw new ChannelException($"Slack channel {route.Target} is busy for {wait}.", retryAfter: wait);
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }
        return token;
    }

    /// <summary>The top-level <c>text</c> (notifications, screen readers): mrkdwn too, so the app name is escaped.
    /// </summary>
    public static string FallbackText(ChannelSend send) => DisplayText.Truncate(ReviewText.Summary(send), 300, Escape);

    public static JsonArray Blocks(ChannelSend send)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] =
                    ReviewText.Truncate(ReviewText.Summary(send), 150) },
            },
        };
        foreach (var review in send.Reviews.Take(send.Reviews.Count == 1 ? 1 : DigestListed))
        {
            // Heading, byline and link always fit; the body gets what is left, cut after escaping.
            var head = $"*{Escape(ReviewText.Heading(review))}*\n";
            var tail = $"\n_{Escape(ReviewText.Byline(review))}_ · <{review.Url}|Open in ReviewHub>";
            var room = Math.Min(send.Reviews.Count == 1 ? 2500 : 300, SectionTextLimit - head.Length - tail.Length);
            var body = DisplayText.Truncate(review.Body, room, Escape);
            blocks.Add(Section(head + body + tail, $"review-{review.ReviewId}"));
        }
        if (send.Reviews.Count > DigestListed)
        {
            blocks.Add(Section($"…and {send.Reviews.Count - DigestListed} more. <{send.AppReviewsUrl}|See all " +
                $"reviews in ReviewHub>", "more"));
        }
        return blocks;
    }

    /// <summary>Slack's limit for a section's text.</summary>
    private const int SectionTextLimit = 3000;

    /// <summary>
    /// A section of text built within <see cref="SectionTextLimit"/>: cutting it here could split an escape or a link.
    /// </summary>
    private static JsonObject Section(string mrkdwn, string blockId) => new()
    {
        ["type"] = "section",
        ["block_id"] = ReviewText.Truncate(blockId, 255),
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn },
    };

    /// <summary>Slack's three control characters; anything else is literal. Keeps user text from injecting links or
    /// mentions.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<",
        "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}

/// <summary>Spaces messages to the same Slack channel by a minimum interval (per worker instance; Slack's 429s cover
/// the rest).</summary>
public sealed class SlackPacer(TimeProvider clock)
{
    private readonly Dictionary<string, DateTimeOffset> nextSlot = new(StringComparer.Ordinal);

    /// <summary>Reserves the next slot for <paramref name="key"/> and returns how long to wait for it.</summary>
    public TimeSpan Reserve(string key, TimeSpan interval)
    {
        var now = clock.GetUtcNow();
        lock (nextSlot)
        {
            var slot = nextSlot.TryGetValue(key, out var next) && next > now ? next : now;
            nextSlot[key] = slot + interval;
            return slot - now;
        }
    }
}
