using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ReviewHub.Delivery;
using ReviewHub.Replies;
using ReviewHub.ReplyAutomation;

namespace ReviewHub.Slack;

/// <summary>What a Reply button names: the review, and the route whose message carried it.</summary>
internal sealed record SlackReplyTarget(string AccountId, string AppId, string RouteId, string ReviewId,
    string? TemplateId)
{
    /// <summary>The button's value: small and opaque; looked up and checked against the tenant on every use.</summary>
    public string Value => string.Join('|', new[] { AccountId, AppId, RouteId, ReviewId, TemplateId }.OfType<string>());

    public static SlackReplyTarget? Parse(string? value)
    {
        var parts = value?.Split('|') ?? [];
        return parts.Length is 4 or 5
            ? new SlackReplyTarget(parts[0], parts[1], parts[2], parts[3], parts.Length == 5 ? parts[4] : null)
            : null;
    }
}

/// <summary>
/// The Block Kit of replying from Slack: buttons on review messages, the reply modal, the status line.
/// </summary>
internal sealed class SlackReplyBlocks(ReplyTemplateStore templates, IOptions<SlackOptions> options)
{
    public const string ReplyAction = "reply_review";
    public const string TemplateActionPrefix = "reply_template_";
    public const string ModalCallback = "reply_modal";
    public const string InputBlock = "reply_block";
    public const string InputAction = "reply_text";

    /// <summary>Slack's longest <c>plain_text_input</c> is not documented beyond 3,000; the modal never asks for
    /// more.</summary>
    public const int ModalMaxLength = 3000;

    /// <summary>The actions block of a one-review message, or null when replying from Slack is not set up.</summary>
    public async Task<JsonObject?> ActionsAsync(
        string accountId, string appId, string routeId, string reviewId, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return null;
        }
        var target = new SlackReplyTarget(accountId, appId, routeId, reviewId, null);
        var elements = new JsonArray { Button("Reply", ReplyAction, target.Value, primary: true) };
        var picks = (await templates.ListAsync(accountId, cancellationToken))
            .OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Take(options.Value.QuickPicks).ToList();
        for (var i = 0; i < picks.Count; i++)
        {
            elements.Add(Button(Text.DisplayText.Truncate(picks[i].Name, 75), $"{TemplateActionPrefix}{i}",
                (target with { TemplateId = picks[i].RowKey }).Value));
        }
        return new JsonObject { ["type"] = "actions", ["block_id"] = "reply_actions", ["elements"] = elements };
    }

    private static JsonObject Button(string text, string actionId, string value, bool primary = false)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = actionId,
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = text },
            ["value"] = value,
        };
        if (primary)
        {
            button["style"] = "primary";
        }
        return button;
    }

    /// <summary>The reply modal, pre-filled; <c>private_metadata</c> carries the target and the message.</summary>
    public static JsonObject Modal(
        SlackReplyTarget target, string channel, string messageTs, string heading, string initialText, int maxLength)
    {
        var metadata = new JsonObject
        {
            ["target"] = target.Value, ["channel"] = channel, ["ts"] = messageTs,
        };
        var input = new JsonObject
        {
            ["type"] = "plain_text_input",
            ["action_id"] = InputAction,
            ["multiline"] = true,
            ["max_length"] = Math.Min(maxLength, ModalMaxLength),
        };
        if (initialText.Length > 0)
        {
            input["initial_value"] = Text.DisplayText.Truncate(initialText, Math.Min(maxLength, ModalMaxLength));
        }
        return new JsonObject
        {
            ["type"] = "modal",
            ["callback_id"] = ModalCallback,
            ["title"] = Plain("Reply to review"),
            ["submit"] = Plain("Send reply"),
            ["close"] = Plain("Cancel"),
            ["private_metadata"] = metadata.ToJsonString(),
            ["blocks"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "section",
                    ["text"] = new JsonObject
                    {
                        ["type"] = "mrkdwn", ["text"] = Text.DisplayText.Truncate(heading, 2900, SlackChannel.Escape),
                    },
                },
                new JsonObject
                {
                    ["type"] = "input", ["block_id"] = InputBlock, ["label"] = Plain("Your reply"), ["element"] = input,
                },
            },
        };
    }

    /// <summary>The line a review message shows about its reply.</summary>
    public static JsonObject Status(ReplyEntity reply)
    {
        var by = reply.RuleId is not null ? "a rule" : "ReviewHub";
        var text = reply.StatusValue switch
        {
            ReplyStatus.Queued or ReplyStatus.Sending => $"✉️ Reply queued by {by}",
            ReplyStatus.Paused => $"⏸️ Reply by {by} waits for the App Store Connect connection: {reply.LastError}",
            ReplyStatus.PendingPublish => "⏳ Reply sent to App Store Connect; Apple is reviewing it",
            ReplyStatus.Published => "✅ Reply published on the App Store",
            ReplyStatus.Failed => $"⚠️ Reply failed: {reply.FailureReason ?? reply.FailureCode}",
            _ => "Reply deleted",
        };
        if (reply.Overdue && reply.StatusValue == ReplyStatus.PendingPublish)
        {
            text += " (overdue: still not published)";
        }
        if (reply.OutdatedAt is not null && reply.StatusValue != ReplyStatus.Deleted)
        {
            text += " · the reviewer edited the review after this reply";
        }
        if (reply.Body is { Length: > 0 } body && reply.StatusValue != ReplyStatus.Deleted)
        {
            text += $"\n>{Text.DisplayText.Truncate(Text.DisplayText.OneLine(body), 500, SlackChannel.Escape)}";
        }
        return new JsonObject
        {
            ["type"] = "context",
            ["block_id"] = "reply_status",
            ["elements"] = new JsonArray { new JsonObject { ["type"] = "mrkdwn",
                ["text"] = Text.DisplayText.Truncate(text, 2900) } },
        };
    }

    /// <summary>Inline errors on the modal's input (Slack keeps it open).</summary>
    public static string Errors(string message) => new JsonObject
    {
        ["response_action"] = "errors",
        ["errors"] = new JsonObject { [InputBlock] = Text.DisplayText.Truncate(message, 2000) },
    }.ToJsonString();

    public static JsonObject Ephemeral(string text) => new()
    {
        ["response_type"] = "ephemeral", ["replace_original"] = false, ["text"] = text,
    };

    private static JsonObject Plain(string text) => new() { ["type"] = "plain_text", ["text"] = text };

    public static string? String(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
