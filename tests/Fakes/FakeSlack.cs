using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>A message the fake Slack accepted; <paramref name="ThreadTs"/>: the parent of a thread reply.</summary>
public sealed record SlackMessage(string Channel, string Text, string BlocksJson, string Ts, string? ThreadTs = null);

/// <summary>A <c>chat.update</c> the fake Slack applied.</summary>
public sealed record SlackUpdate(string Channel, string Ts, string Text, string BlocksJson);

/// <summary>A modal the fake Slack opened with <c>views.open</c>.</summary>
public sealed record SlackView(string Id, string TriggerId, JsonElement View);

/// <summary>What an app posted to a <c>response_url</c>.</summary>
public sealed record SlackResponse(string Url, JsonElement Body);

/// <summary>
/// Plays Slack's Web API <c>POST /api/chat.postMessage</c> (JSON): bearer bot token (HTTP 200 <c>not_authed</c> /
/// <c>invalid_auth</c>), known channels (<c>channel_not_found</c>), <c>no_text</c>, Block Kit limits
/// (<c>invalid_blocks</c>), monotonic <c>ts</c>, and optionally Slack's per-channel limit (burst 3, 1/s) answered with
/// 429 + Retry-After.
/// </summary>
public sealed class FakeSlack : FakeHttpServer
{
    private readonly ConcurrentDictionary<string, byte> tokens = new();
    private readonly ConcurrentDictionary<string, byte> channels = new();
    private readonly ConcurrentQueue<SlackMessage> messages = new();
    private readonly Dictionary<string, (double Tokens, DateTimeOffset At)> buckets = [];
    private readonly ConcurrentDictionary<string, string> postedBy = new();
    private readonly ConcurrentDictionary<string, (DateTimeOffset IssuedAt, bool Used)> triggers = new();
    private readonly ConcurrentDictionary<string, (DateTimeOffset IssuedAt, int Uses)> responseUrls = new();
    private readonly ConcurrentQueue<SlackUpdate> updates = new();
    private readonly ConcurrentQueue<SlackView> views = new();
    private readonly ConcurrentQueue<SlackResponse> responses = new();
    private long counter;

    public IReadOnlyList<SlackUpdate> Updates => updates.ToArray();
    public IReadOnlyList<SlackView> Views => views.ToArray();
    public IReadOnlyList<SlackResponse> Responses => responses.ToArray();

    /// <summary>Slack's lifetime of a <c>trigger_id</c> (3 s); tests shorten or lengthen it.</summary>
    public TimeSpan TriggerLifetime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A trigger id as Slack puts in an interaction: usable once, within <see cref="TriggerLifetime"/>.
    /// </summary>
    public string IssueTrigger()
    {
        var id = $"{Interlocked.Increment(ref counter)}.{Random.Shared.Next(1000, 9999)}.{Guid.NewGuid():N}";
        triggers[id] = (DateTimeOffset.UtcNow, false);
        return id;
    }

    /// <summary>A response_url as Slack puts in an interaction: 5 uses within 30 minutes.</summary>
    public string IssueResponseUrl()
    {
        var id = Guid.NewGuid().ToString("N");
        responseUrls[id] = (DateTimeOffset.UtcNow, 0);
        return new Uri(BaseAddress, $"actions/T0001/{id}").ToString();
    }

    /// <summary>Recorded blocks keep non-ASCII text (stars, ellipses) readable for assertions.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder =
        System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public IReadOnlyList<SlackMessage> Messages => messages.ToArray();

    /// <summary>Enforce about one message per second per (token, channel) with bursts of 3.</summary>
    public bool EnforceRateLimit { get; set; }

    public FakeSlack AddToken(string token) { tokens[token] = 0; return this; }

    public FakeSlack AddChannel(string channel) { channels[channel] = 0; return this; }

    public void RevokeToken(string token) => tokens.TryRemove(token, out _);

    public static InjectedFault RateLimited(int retryAfterSeconds = 1) =>
        new(429, """{"ok":false,"error":"ratelimited"}""", new Dictionary<string, string> { ["Retry-After"] =
            retryAfterSeconds.ToString(CultureInfo.InvariantCulture) });

    public static InjectedFault ServerError() => new(500, "<html><body>Server Error | Slack</body></html>");

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapPost("/api/chat.postMessage", PostMessageAsync);
        app.MapPost("/api/chat.update", UpdateMessageAsync);
        app.MapPost("/api/views.open", OpenViewAsync);
        app.MapPost("/actions/{team}/{id}", RespondAsync);
    }

    /// <summary>The bot token of the request, or null after answering Slack's auth error.</summary>
    private async Task<string?> AuthorizeAsync(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await Ok(context, new { ok = false, error = "not_authed" });
            return null;
        }
        var token = auth["Bearer ".Length..];
        if (!token.StartsWith("xoxb-", StringComparison.Ordinal) || !tokens.ContainsKey(token))
        {
            await Ok(context, new { ok = false, error = "invalid_auth" });
            return null;
        }
        return token;
    }

    private async Task UpdateMessageAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context) is not { } token)
        {
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        var channel = root.TryGetProperty("channel", out var c) ? c.GetString() ?? "" : "";
        var ts = root.TryGetProperty("ts", out var t) ? t.GetString() ?? "" : "";
        if (!channels.ContainsKey(channel))
        {
            await Ok(context, new { ok = false, error = "channel_not_found" });
            return;
        }
        if (!postedBy.TryGetValue($"{channel}|{ts}", out var poster))
        {
            await Ok(context, new { ok = false, error = "message_not_found" });
            return;
        }
        if (poster != token)
        {
            await Ok(context, new { ok = false, error = "cant_update_message" });
            return;
        }
        var text = root.TryGetProperty("text", out var x) ? x.GetString() ?? "" : "";
        var hasBlocks = root.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array;
        if (text.Length > 4000)
        {
            await Ok(context, new { ok = false, error = "msg_too_long" });
            return;
        }
        if (hasBlocks && BlockErrors(blocks) is { Count: > 0 } errors)
        {
            await Ok(context, new { ok = false, error = "invalid_blocks", errors });
            return;
        }
        updates.Enqueue(new SlackUpdate(channel, ts, text, hasBlocks ? JsonSerializer.Serialize(blocks,
            Readable) : "[]"));
        await Ok(context, new { ok = true, channel, ts, text });
    }

    private async Task OpenViewAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context) is null)
        {
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        var triggerId = root.TryGetProperty("trigger_id", out var tr) ? tr.GetString() ?? "" : "";
        if (!triggers.TryGetValue(triggerId, out var trigger))
        {
            await Ok(context, new { ok = false, error = "invalid_trigger_id" });
            return;
        }
        if (trigger.Used || !triggers.TryUpdate(triggerId, (trigger.IssuedAt, true), trigger))
        {
            await Ok(context, new { ok = false, error = "exchanged_trigger_id" });
            return;
        }
        if (DateTimeOffset.UtcNow - trigger.IssuedAt > TriggerLifetime)
        {
            await Ok(context, new { ok = false, error = "expired_trigger_id" });
            return;
        }
        if (!root.TryGetProperty("view", out var view) || view.ValueKind != JsonValueKind.Object
            || ViewErrors(view) is { Count: > 0 })
        {
            await Ok(context, new { ok = false, error = "invalid_arguments",
                response_metadata = new { messages = ViewErrors(view) } });
            return;
        }
        var id = $"V{Interlocked.Increment(ref counter):D8}";
        views.Enqueue(new SlackView(id, triggerId, view.Clone()));
        await Ok(context, new { ok = true, view = new { id, hash = Guid.NewGuid().ToString("N"), root_view_id = id } });
    }

    private static List<string> ViewErrors(JsonElement view)
    {
        var errors = new List<string>();
        if (view.ValueKind != JsonValueKind.Object)
        {
            return ["view must be an object"];
        }
        foreach (var field in new[] { "title", "submit", "close" })
        {
            if (view.TryGetProperty(field, out var text) && text.GetProperty("text").GetString()!.Length > 24)
            {
                errors.Add($"must be less than 25 characters [json-pointer:/view/{field}/text]");
            }
        }
        if (view.TryGetProperty("private_metadata", out var metadata) && metadata.GetString()!.Length > 3000)
        {
            errors.Add("must be less than 3001 characters [json-pointer:/view/private_metadata]");
        }
        if (view.TryGetProperty("blocks", out var blocks) && blocks.GetArrayLength() > 100)
        {
            errors.Add("must have at most 100 blocks [json-pointer:/view/blocks]");
        }
        if (view.GetRawText().Length > 250_000)
        {
            errors.Add("view_too_large");
        }
        return errors;
    }

    private async Task RespondAsync(HttpContext context, string id)
    {
        if (!responseUrls.TryGetValue(id, out var url) || url.Uses >= 5
            || DateTimeOffset.UtcNow - url.IssuedAt > TimeSpan.FromMinutes(30))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("expired_url");
            return;
        }
        responseUrls[id] = (url.IssuedAt, url.Uses + 1);
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        responses.Enqueue(new SlackResponse(context.Request.Path, body.RootElement.Clone()));
        context.Response.StatusCode = 200;
        await context.Response.WriteAsync("ok");
    }

    private async Task PostMessageAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context) is not { } token)
        {
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        var channel = root.TryGetProperty("channel", out var c) ? c.GetString() ?? "" : "";
        if (!channels.ContainsKey(channel))
        {
            await Ok(context, new { ok = false, error = "channel_not_found" });
            return;
        }
        var text = root.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
        var hasBlocks = root.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array;
        if (text.Length == 0 && !hasBlocks)
        {
            await Ok(context, new { ok = false, error = "no_text" });
            return;
        }
        if (hasBlocks && BlockErrors(blocks) is { Count: > 0 } errors)
        {
            await Ok(context, new { ok = false, error = "invalid_blocks", errors });
            return;
        }
        if (EnforceRateLimit && !TakeToken($"{token}|{channel}"))
        {
            context.Response.Headers.RetryAfter = "1";
            context.Response.StatusCode = 429;
            await context.Response.WriteAsJsonAsync(new { ok = false, error = "ratelimited" });
            return;
        }
        var threadTs = root.TryGetProperty("thread_ts", out var thread) ? thread.GetString() : null;
        if (threadTs is not null && !postedBy.ContainsKey($"{channel}|{threadTs}"))
        {
            // Slack answers this for a thread_ts that names no message of the channel.
            await Ok(context, new { ok = false, error = "thread_not_found" });
            return;
        }
        var ts = $"{Clock.GetUtcNow().ToUnixTimeSeconds()}.{Interlocked.Increment(ref counter):D6}";
        messages.Enqueue(new SlackMessage(channel, text,
            hasBlocks ? JsonSerializer.Serialize(blocks, Readable) : "[]", ts, threadTs));
        postedBy[$"{channel}|{ts}"] = token;
        await Ok(context, new { ok = true, channel, ts, message = new { type = "message", subtype = "bot_message", text,
            ts } });
    }

    private static List<string> BlockErrors(JsonElement blocks)
    {
        var errors = new List<string>();
        if (blocks.GetArrayLength() > 50)
        {
            errors.Add("must have at most 50 blocks [json-pointer:/blocks]");
        }
        var i = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var type = block.GetProperty("type").GetString();
            var length = block.TryGetProperty("text", out var text) ? text.GetProperty("text").GetString()!.Length : 0;
            if (type == "actions")
            {
                var elements = block.GetProperty("elements");
                if (elements.GetArrayLength() > 25)
                {
                    errors.Add($"must have at most 25 elements [json-pointer:/blocks/{i}/elements]");
                }
                if (elements.EnumerateArray().Any(b =>
                    b.GetProperty("text").GetProperty("text").GetString()!.Length > 75
                    || b.GetProperty("value").GetString()!.Length > 2000))
                {
                    errors.Add($"button text over 75 or value over 2000 characters [json-pointer:/blocks/{i}]");
                }
            }
            if ((type == "section" && length > 3000) || (type == "header" && length > 150))
            {
                errors.Add($"must be less than {(type == "section" ? 3001 : 151)} characters " +
                    $"[json-pointer:/blocks/{i}/text/text]");
            }
            i++;
        }
        return errors;
    }

    private bool TakeToken(string key)
    {
        lock (buckets)
        {
            var now = Clock.GetUtcNow();
            var (tokensLeft, at) = buckets.TryGetValue(key, out var bucket) ? bucket : (3.0, now);
            tokensLeft = Math.Min(3, tokensLeft + (now - at).TotalSeconds);
            var allowed = tokensLeft >= 1;
            buckets[key] = (allowed ? tokensLeft - 1 : tokensLeft, now);
            return allowed;
        }
    }

    private static Task Ok(HttpContext context, object body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

/// <summary>
/// Slack's side of interactivity: the form-encoded, signed requests Slack sends to an app's Request URL (signature v0
/// over the raw body), built from a posted message's buttons or an opened modal.
/// </summary>
public static class SlackInteraction
{
    /// <summary>
    /// The <c>block_actions</c> payload of a click on the button <paramref name="actionId"/> of a message.
    /// </summary>
    public static string Click(FakeSlack slack, SlackMessage message, string actionId, string teamId, string userId)
    {
        using var blocks = JsonDocument.Parse(message.BlocksJson);
        var button = blocks.RootElement.EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray())
            .First(e => e.GetProperty("action_id").GetString() == actionId);
        return Form(new
        {
            type = "block_actions",
            team = new { id = teamId, domain = "acme" },
            user = new { id = userId, username = "dana", name = "dana", team_id = teamId },
            api_app_id = "A0REVIEWHUB",
            token = "legacyVerifToken",
            container = new { type = "message", message_ts = message.Ts, channel_id = message.Channel,
                is_ephemeral = false },
            trigger_id = slack.IssueTrigger(),
            channel = new { id = message.Channel, name = "app-reviews" },
            message = new { type = "message", ts = message.Ts, text = message.Text },
            response_url = slack.IssueResponseUrl(),
            actions = new[]
            {
                new
                {
                    type = "button", action_id = actionId, block_id = "reply_actions",
                    value = button.GetProperty("value").GetString(), action_ts = "1791460100.123456",
                },
            },
        });
    }

    /// <summary>
    /// The <c>view_submission</c> payload of a modal submitted with <paramref name="text"/> typed in.
    /// </summary>
    public static string Submit(SlackView view, string teamId, string userId, string? text)
    {
        var values = new Dictionary<string, object>
        {
            ["reply_block"] = new Dictionary<string, object?>
            {
                ["reply_text"] = new { type = "plain_text_input", value = text },
            },
        };
        return Form(new
        {
            type = "view_submission",
            team = new { id = teamId, domain = "acme" },
            user = new { id = userId, username = "dana", name = "dana", team_id = teamId },
            api_app_id = "A0REVIEWHUB",
            trigger_id = "9999.1111.submit",
            view = new
            {
                id = view.Id,
                type = "modal",
                callback_id = view.View.GetProperty("callback_id").GetString(),
                private_metadata = view.View.GetProperty("private_metadata").GetString(),
                hash = "abc",
                state = new { values },
            },
        });
    }

    /// <summary>The raw body Slack posts: one form field <c>payload</c> holding the JSON.</summary>
    public static string Form(object payload) => "payload=" + Uri.EscapeDataString(JsonSerializer.Serialize(payload));

    /// <summary>Slack's signature headers for <paramref name="body"/> at <paramref name="timestamp"/>.</summary>
    public static Dictionary<string, string> Headers(string secret, string body, DateTimeOffset timestamp)
    {
        var seconds = timestamp.ToUnixTimeSeconds();
        var key = System.Text.Encoding.UTF8.GetBytes(secret);
        var basestring = System.Text.Encoding.UTF8.GetBytes($"v0:{seconds}:{body}");
        return new Dictionary<string, string>
        {
            ["X-Slack-Request-Timestamp"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["X-Slack-Signature"] =
                "v0=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, basestring)),
            ["Content-Type"] = "application/x-www-form-urlencoded",
        };
    }
}
