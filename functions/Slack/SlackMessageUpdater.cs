using Microsoft.Extensions.Logging;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.Replies;
using ReviewHub.Reviews;

namespace ReviewHub.Slack;

/// <summary>
/// Rewrites each Slack message that announced the review (the route's channel and the <c>ts</c> the Deliveries
/// ledger kept) with <c>chat.update</c>: the review as posted, a line with the reply's current state, and the Reply
/// button. It shows the state read now, so duplicate or reordered messages are harmless; a Slack failure throws
/// and the queue retries it (then poison).
/// </summary>
internal sealed class SlackMessageUpdater(
    AppStore apps, ReviewReader reviewReader,
    RouteStore routes,
    DeliveryLedger ledger,
    ReplyStore replies,
    ReviewLinks reviewLinks,
    SlackReplyBlocks blocks,
    SlackClient slack,
    ILogger<SlackMessageUpdater> logger)
{
    public async Task<int> UpdateAsync(SlackMessageUpdate update, CancellationToken cancellationToken)
    {
        var app = await apps.GetAsync(update.AccountId, update.AppId, cancellationToken);
        var review = app is null ? null : await reviewReader.FindForAccountAsync(app.AccountId, app.AppId,
            update.ReviewId, cancellationToken);
        var reply = review is null ? null : await replies.GetAsync(app!.AppId, review.ReviewId, cancellationToken);
        if (reply is null)
        {
            return 0;
        }
        var updated = 0;
        foreach (var route in (await routes.ListAsync(app!.AppId, cancellationToken))
            .Where(r => r.ChannelValue == DeliveryChannel.Slack))
        {
            var delivered = await ledger.GetAsync(app.AppId, route.RouteId, review!.ReviewId, cancellationToken);
            if (delivered is not { StateValue: DeliveryState.Delivered, ExternalId: { Length: > 0 } ts }
                || await routes.GetSecretAsync(route, cancellationToken) is not { } token)
            {
                continue;
            }
            var send = new ChannelSend(route, app, [ReviewNotification.From(review, reviewLinks)], string.Empty,
                reviewLinks.Reviews(app.AccountId, app.AppId));
            var message = SlackChannel.Blocks(send);
            message.Add(SlackReplyBlocks.Status(reply));
            if (await blocks.ActionsAsync(app.AccountId, app.AppId, route.RouteId, review.ReviewId, cancellationToken)
                is { } actions)
            {
                message.Add(actions);
            }
            await slack.UpdateMessageAsync(token, route.Target, ts, SlackChannel.FallbackText(send), message,
                cancellationToken);
            updated++;
        }
        logger.LogInformation("Updated {Count} Slack message(s) of review {ReviewId} (app {AppId}): reply {Status}",
            updated, update.ReviewId, update.AppId, reply.Status);
        return updated;
    }
}
