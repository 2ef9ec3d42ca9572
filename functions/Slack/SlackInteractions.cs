using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.Replies;
using ReviewHub.ReplyAutomation;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Slack;

/// <summary>
/// Handles a verified Slack interaction. A Reply (or template) click opens the reply modal with <c>views.open</c>
/// inside the request (a <c>trigger_id</c> works once, for 3 seconds); the submission goes through the same reply flow
/// as the SPA (<see cref="ReplyWriter"/>, <see cref="ReplyStore"/>, the audit trail, the sender) and answers at once;
/// the message update goes through the <c>slack-message-updates</c> queue. Every step re-checks who the Slack user
/// is in ReviewHub and what their role allows: an unlinked user gets an ephemeral explanation with a link, and nothing
/// is sent.
/// </summary>
internal sealed class SlackInteractions(
    AccountStore accounts,
    AppStore apps, ReviewReader reviewReader,
    RouteStore routes,
    ReplyStore replies,
    ReplyWriter writer,
    ReplyTemplateStore templates,
    SlackUserLinkStore links,
    SlackClient slack,
    IMessageQueue queue,
    TimeProvider clock,
    IOptions<SlackOptions> options,
    IOptions<DeliveryOptions> delivery,
    ILogger<SlackInteractions> logger)
{
    private static readonly IActionResult Ack = new OkResult();

    private sealed record Context(
        SlackReplyTarget Target, AppEntity App, RouteEntity Route, ReviewEntity Review, string UserId);

    public async Task<IActionResult> HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var type = SlackReplyBlocks.String(payload, "type");
        if (type == "block_actions")
        {
            await ClickAsync(payload, cancellationToken);
            return Ack;
        }
        if (type == "view_submission"
            && SlackReplyBlocks.String(payload, "view", "callback_id") == SlackReplyBlocks.ModalCallback)
        {
            return await SubmitAsync(payload, cancellationToken);
        }
        return Ack;
    }

    private async Task ClickAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var action = payload.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array
            && actions.GetArrayLength() > 0 ? actions[0] : default;
        var actionId = SlackReplyBlocks.String(action, "action_id") ?? string.Empty;
        if (actionId != SlackReplyBlocks.ReplyAction
            && !actionId.StartsWith(SlackReplyBlocks.TemplateActionPrefix, StringComparison.Ordinal))
        {
            return;
        }
        var responseUrl = ResponseUrl(SlackReplyBlocks.String(payload, "response_url"));
        var channel = SlackReplyBlocks.String(payload, "container", "channel_id")
            ?? SlackReplyBlocks.String(payload, "channel", "id");
        var messageTs = SlackReplyBlocks.String(payload, "container", "message_ts");
        var (context, refusal) = await ResolveAsync(payload, SlackReplyTarget.Parse(SlackReplyBlocks.String(action,
            "value")),
            channel, cancellationToken);
        if (context is null || messageTs is null)
        {
            await TellAsync(responseUrl, refusal ?? "This message is not connected to ReviewHub any more.",
                cancellationToken);
            return;
        }
        var initial = await InitialTextAsync(context, cancellationToken);
        var heading = $"*{context.Review.Rating}★ {context.Review.Title}*\n{context.Review.Body}";
        var view = SlackReplyBlocks.Modal(context.Target with { TemplateId = null }, channel!, messageTs, heading,
            initial,
            StoreLimits.MaxReplyLength(context.App));
        var token = await routes.GetSecretAsync(context.Route, cancellationToken);
        try
        {
            await slack.OpenViewAsync(token ?? string.Empty, SlackReplyBlocks.String(payload,
                "trigger_id") ?? string.Empty,
                view, cancellationToken);
        }
        catch (ChannelException ex)
        {
            logger.LogWarning("Slack did not open the reply form for review {ReviewId} (app {AppId}): {Error}",
                context.Review.ReviewId, context.App.AppId, ex.Message);
            await TellAsync(responseUrl, "Slack did not open the reply form in time. Click Reply again.",
                cancellationToken);
        }
    }

    private async Task<IActionResult> SubmitAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var view = payload.GetProperty("view");
        JsonElement metadata;
        try
        {
            using var parsed = JsonDocument.Parse(SlackReplyBlocks.String(view, "private_metadata") ?? "{}");
            metadata = parsed.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Errors("This form is not one ReviewHub opened.");
        }
        var (context, refusal) = await ResolveAsync(payload,
            SlackReplyTarget.Parse(SlackReplyBlocks.String(metadata, "target")),
            SlackReplyBlocks.String(metadata, "channel"), cancellationToken);
        if (context is null)
        {
            return Errors(refusal ?? "This message is not connected to ReviewHub any more.");
        }
        var text = SlackReplyBlocks.String(view, "state", "values", SlackReplyBlocks.InputBlock,
            SlackReplyBlocks.InputAction, "value")?.Trim() ?? string.Empty;
        var max = StoreLimits.MaxReplyLength(context.App);
        if (text.Length == 0 || text.Length > max)
        {
            return Errors(text.Length == 0 ? "Write a reply." : $"The store accepts at most {max} characters.");
        }
        if (await writer.PublishRefusalAsync(context.Review, cancellationToken) is { } cannot)
        {
            return Errors(cannot.Detail);
        }
        var result = await replies.RequestAsync(context.Review, ReplyAction.Publish, text, context.UserId,
            cancellationToken, via: "slack");
        await writer.HandOffAsync(result!, cancellationToken);
        await queue.SendAsync(SlackQueues.SlackMessageUpdates,
            new SlackMessageUpdate(context.App.AccountId, context.App.AppId, context.Review.ReviewId),
            cancellationToken: cancellationToken);
        return Ack;
    }

    /// <summary>
    /// The review, app and route the request names, and the ReviewHub member behind the Slack user — or why not. The
    /// route must be a Slack route of that app posting to the channel the request came from, so a button value cannot
    /// reach another tenant's review.
    /// </summary>
    private async Task<(Context? Context, string? Refusal)> ResolveAsync(
        JsonElement payload, SlackReplyTarget? target, string? channel, CancellationToken cancellationToken)
    {
        var app = target is null ? null : await apps.GetAsync(target.AccountId, target.AppId, cancellationToken);
        var route = app is null || !Ids.IsValid(target!.RouteId)
            ? null
            : await routes.GetAsync(app.AppId, target.RouteId, cancellationToken);
        if (route is null || route.AccountId != app!.AccountId || route.ChannelValue != DeliveryChannel.Slack
            || route.Target != channel)
        {
            return (null, null);
        }
        var teamId = SlackReplyBlocks.String(payload, "team", "id") ?? SlackReplyBlocks.String(payload, "user",
            "team_id");
        var slackUser = SlackReplyBlocks.String(payload, "user", "id");
        var userId = teamId is null || slackUser is null ? null : await links.UserIdAsync(teamId, slackUser,
            cancellationToken);
        if (userId is null)
        {
            return (null, LinkExplanation(teamId, slackUser));
        }
        var member = await accounts.FindWithRoleAsync(userId, app.AccountId, cancellationToken);
        if (member is null || !MemberRoles.Allows(member.Value.Role, AccountPermission.WriteReplies))
        {
            return (null, member is null
                ? "Your linked ReviewHub user is not a member of this account: nothing was sent."
                : $"Your role in this ReviewHub account ({member.Value.Role}) does not allow replying: "
                    + "nothing was sent.");
        }
        var review = await reviewReader.FindForAccountAsync(app.AccountId, app.AppId, target!.ReviewId,
            cancellationToken);
        return review is null
            ? (null, "This review is not in ReviewHub any more.")
            : (new Context(target, app, route, review, userId), null);
    }

    private string LinkExplanation(string? teamId, string? slackUser)
    {
        if (teamId is null || slackUser is null)
        {
            return "Slack did not say who you are: nothing was sent.";
        }
        var token = new SlackLinkTokens(options.Value.SigningSecret!)
            .Create(teamId, slackUser, clock.GetUtcNow() + options.Value.LinkLifetime);
        var url = $"{delivery.Value.SpaBaseUrl.TrimEnd('/')}/slack/link?token={Uri.EscapeDataString(token)}";
        return "Your Slack user is not linked to a ReviewHub member yet, so nothing was sent. "
            + $"<{url}|Link it in ReviewHub> (signed in; the link works for "
            + $"{options.Value.LinkLifetime.TotalMinutes:0} minutes), then click Reply again.";
    }

    private async Task<string> InitialTextAsync(Context context, CancellationToken cancellationToken)
    {
        if (context.Target.TemplateId is { } templateId
            && await templates.GetAsync(context.App.AccountId, templateId, cancellationToken) is { } template)
        {
            return ReplyPlaceholders.Render(template.Body, PlaceholderValues.For(context.Review, context.App)).Trim();
        }
        var existing = await replies.GetAsync(context.App.AppId, context.Review.ReviewId, cancellationToken);
        return existing?.Body ?? string.Empty;
    }

    /// <summary>Only Slack's own response URLs are ever called, whatever the request says.</summary>
    private Uri? ResponseUrl(string? url) =>
        url is not null && url.StartsWith(options.Value.ResponseUrlBase, StringComparison.Ordinal)
        && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;

    private async Task TellAsync(Uri? responseUrl, string text, CancellationToken cancellationToken)
    {
        if (responseUrl is null)
        {
            return;
        }
        try
        {
            await slack.RespondAsync(responseUrl, SlackReplyBlocks.Ephemeral(text), cancellationToken);
        }
        catch (ChannelException ex)
        {
            logger.LogWarning("Slack's response_url refused an ephemeral message: {Error}", ex.Message);
        }
    }

    private static ContentResult Errors(string message) =>
        new() { StatusCode = 200, ContentType = "application/json", Content = SlackReplyBlocks.Errors(message) };
}
