using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;

namespace ReviewHub.Fakes;

/// <summary>A webhook the receiver accepted (signature valid), with its signature header as sent.</summary>
public sealed record ReceivedWebhook(string Path, string Id, long Timestamp, string Body, string Signature = "");

/// <summary>
/// A customer's webhook endpoint that verifies Standard Webhooks signatures the way the docs tell customers to: secret
/// per path ("whsec_" + base64 key), HMAC-SHA256 over "id.timestamp.body" of the raw bytes, constant-time compare of
/// every "v1,…" entry, ±5 minute timestamp tolerance. Invalid → 401; valid → 200 and recorded.
/// </summary>
public sealed class FakeWebhookReceiver : FakeHttpServer
{
    private readonly ConcurrentDictionary<string, string> secrets = new();
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private int rejected;

    public IReadOnlyList<ReceivedWebhook> Received => received.ToArray();

    public int Rejected => rejected;

    /// <summary>The URL to give ReviewHub for a path; set its secret with <see cref="SetSecret"/> once ReviewHub
    /// generated it.</summary>
    public string UrlFor(string path) => new Uri(BaseAddress, path.TrimStart('/')).ToString();

    public void SetSecret(string path, string secret) => secrets["/" + path.TrimStart('/')] = secret;

    /// <summary>A receiver asking us to slow down (Standard Webhooks: 429 with Retry-After in seconds).</summary>
    public static InjectedFault TooManyRequests(int retryAfterSeconds = 1) =>
        new(429, "Too Many Requests",
            new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture)
                });

    protected override void MapEndpoints(WebApplication app) => app.MapPost("/{**path}", async context =>
    {
        var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync();
        var id = context.Request.Headers["webhook-id"].ToString();
        var timestamp = context.Request.Headers["webhook-timestamp"].ToString();
        var signatures = context.Request.Headers["webhook-signature"].ToString();
        if (!secrets.TryGetValue(context.Request.Path, out var secret)
            || !Verify(secret, id, timestamp, body, signatures, Clock.GetUtcNow()))
        {
            Interlocked.Increment(ref rejected);
            context.Response.StatusCode = 401;
            return;
        }
        received.Enqueue(new ReceivedWebhook(
            context.Request.Path, id, long.Parse(timestamp, CultureInfo.InvariantCulture), body, signatures));
        context.Response.StatusCode = 204;
    });

    /// <param name="now">The receiver's clock (the current time when null): timestamps more than 5 minutes away are
    /// replays.</param>
    public static bool Verify(
        string secret, string id, string timestamp, string body, string signatureHeader, DateTimeOffset? now = null)
    {
        var receivedAt = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        if (!long.TryParse(timestamp, out var seconds) || Math.Abs(receivedAt - seconds) > 300)
        {
            return false;
        }
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..]
            : secret);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1" && TryBase64(parts[1]) is { } given
                && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return true;
            }
        }
        return false;
    }

    private static byte[]? TryBase64(string value)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
