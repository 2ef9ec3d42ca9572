using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ReviewHub.Text;

namespace ReviewHub.Delivery;

/// <summary>
/// Slack: one Block Kit message per review, or one digest above <see cref="DeliveryOptions.DigestThreshold"/>; paced to
/// about one message per second per channel (Slack's limit for chat.postMessage). A 429's Retry-After is waited for in
/// the client up to <c>OutboundHttp__MaxRetryAfterWait</c>; a longer one postpones the work through the queue.
/// </summary>
internal sealed class SlackChannel(
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
