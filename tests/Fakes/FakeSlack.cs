using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>A message the fake Slack accepted.</summary>
public sealed record SlackMessage(string Channel, string Text, string BlocksJson, string Ts);

/// <summary>
/// Plays Slack's Web API <c>POST /api/chat.postMessage</c> (JSON): bearer bot token (HTTP 200 <c>not_authed</c> /
/// <c>invalid_auth</c>), known channels (<c>channel_not_found</c>), <c>no_text</c>, Block Kit limits (<c>invalid_blocks</c>),
/// monotonic <c>ts</c>, and optionally Slack's per-channel limit (burst 3, 1/s) answered with 429 + Retry-After.
/// </summary>
public sealed class FakeSlack : FakeHttpServer
{
    private readonly ConcurrentDictionary<string, byte> tokens = new();
    private readonly ConcurrentDictionary<string, byte> channels = new();
    private readonly ConcurrentQueue<SlackMessage> messages = new();
    private readonly Dictionary<string, (double Tokens, DateTimeOffset At)> buckets = [];
    private long counter;

    /// <summary>Recorded blocks keep non-ASCII text (stars, ellipses) readable for assertions.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public IReadOnlyList<SlackMessage> Messages => messages.ToArray();

    /// <summary>Enforce about one message per second per (token, channel) with bursts of 3.</summary>
    public bool EnforceRateLimit { get; set; }

    public FakeSlack AddToken(string token) { tokens[token] = 0; return this; }

    public FakeSlack AddChannel(string channel) { channels[channel] = 0; return this; }

    public void RevokeToken(string token) => tokens.TryRemove(token, out _);

    public static InjectedFault RateLimited(int retryAfterSeconds = 1) =>
        new(429, """{"ok":false,"error":"ratelimited"}""", new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString() });

    public static InjectedFault ServerError() => new(500, "<html><body>Server Error | Slack</body></html>");

    protected override void MapEndpoints(WebApplication app) => app.MapPost("/api/chat.postMessage", async context =>
    {
        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await Ok(context, new { ok = false, error = "not_authed" });
            return;
        }
        var token = auth["Bearer ".Length..];
        if (!token.StartsWith("xoxb-", StringComparison.Ordinal) || !tokens.ContainsKey(token))
        {
            await Ok(context, new { ok = false, error = "invalid_auth" });
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
        var ts = $"{Clock.GetUtcNow().ToUnixTimeSeconds()}.{Interlocked.Increment(ref counter):D6}";
        messages.Enqueue(new SlackMessage(channel, text, hasBlocks ? JsonSerializer.Serialize(blocks, Readable) : "[]", ts));
        await Ok(context, new { ok = true, channel, ts, message = new { type = "message", subtype = "bot_message", text, ts } });
    });

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
            if ((type == "section" && length > 3000) || (type == "header" && length > 150))
            {
                errors.Add($"must be less than {(type == "section" ? 3001 : 151)} characters [json-pointer:/blocks/{i}/text/text]");
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
