using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReviewHub.Http;

namespace ReviewHub.Delivery;

/// <summary>
/// Slack's Web API over HttpClient (JSON bodies, bearer bot token): <c>chat.postMessage</c>, <c>chat.update</c>,
/// <c>views.open</c>, and posts to an interaction's <c>response_url</c>. Maps Slack's <c>ok:false</c> codes.
/// </summary>
internal sealed class SlackClient(HttpClient http)
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
