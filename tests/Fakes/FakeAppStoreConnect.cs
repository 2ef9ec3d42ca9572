using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>An App Store Connect API key the fake accepts: the private key (PEM) goes into the app's
/// credential.</summary>
public sealed record FakeAppStoreConnectKey(string? IssuerId, string KeyId, string PrivateKeyPem);

/// <summary>
/// Plays the App Store Connect API: checks the ES256 bearer JWT (known key id, audience, signature, lifetime ≤ 20 min),
/// keeps a rolling hourly budget per key with Apple's <c>X-Rate-Limit</c> header and 429 RATE_LIMIT_EXCEEDED, and
/// answers errors in Apple's envelope. Each feature maps its resources in its own partial file.
/// </summary>
public sealed partial class FakeAppStoreConnect : FakeHttpServer
{
    private readonly ConcurrentDictionary<string, ECDsa> keys = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> calls = new();

    /// <summary>Requests per rolling hour per key (Apple observed 3600).</summary>
    public int HourlyLimit { get; set; } = 3600;

    /// <summary>
    /// A key of <paramref name="team"/> (null: the fake's one default team): the Users and Access calls it signs see
    /// that team's users and invitations only, as each App Store Connect team has its own.
    /// </summary>
    public FakeAppStoreConnectKey CreateKey(string? issuerId = null, string? team = null)
    {
        var keyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(5));
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        keys[keyId] = ecdsa;
        keyTeams[keyId] = team ?? DefaultTeam;
        return new FakeAppStoreConnectKey(issuerId ?? Guid.NewGuid().ToString(), keyId,
            ecdsa.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// The key is revoked in Users and Access: from now on every token it signed is refused (401 NOT_AUTHORIZED).
    /// </summary>
    public void RevokeKey(string keyId) => keys.TryRemove(keyId, out _);

    /// <summary>Requests counted against a key in the last hour.</summary>
    public int RequestsInLastHour(string keyId) =>
        calls.TryGetValue(keyId, out var q) ? q.Count(t => t > Clock.GetUtcNow().AddHours(-1)) : 0;

    public static string ErrorBody(int status, string code, string title, string? detail = null) =>
        JsonSerializer.Serialize(new
    {
        errors = new[] { new { id = Guid.NewGuid().ToString(), status = status.ToString(CultureInfo.InvariantCulture),
            code, title, detail } },
    });

    public static readonly string RateLimitBody = ErrorBody(429, "RATE_LIMIT_EXCEEDED",
        "The request rate limit has been reached.",
        "We've received too many requests for this API. Please wait and try again or slow down your request rate.");

    /// <summary>
    /// Apple's 429, with the key's budget when <paramref name="remaining"/> is given. Apple does not document
    /// Retry-After; <paramref name="retryAfter"/> plays an answer that sends one (a burst limit, a proxy).
    /// </summary>
    public static InjectedFault RateLimited(TimeSpan? retryAfter = null, int? remaining = null)
    {
        var headers = new Dictionary<string, string>();
        if (remaining is { } left)
        {
            headers["X-Rate-Limit"] = $"user-hour-lim:3600;user-hour-rem:{left};";
        }
        if (retryAfter is { } wait)
        {
            headers["Retry-After"] = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        return new InjectedFault(429, RateLimitBody, headers);
    }

    protected override void MapEndpoints(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var keyId = Authenticate(context.Request);
            if (keyId is null)
            {
                await WriteAsync(context, 401, ErrorBody(401, "NOT_AUTHORIZED",
                    "Authentication credentials are missing or invalid.",
                    "Provide a properly configured and signed bearer token, and make sure that it has not expired."));
                return;
            }
            context.Items[KeyIdItem] = keyId;
            var window = calls.GetOrAdd(keyId, _ => new ConcurrentQueue<DateTimeOffset>());
            var now = Clock.GetUtcNow();
            while (window.TryPeek(out var oldest) && oldest < now.AddHours(-1))
            {
                window.TryDequeue(out _);
            }
            var remaining = HourlyLimit - window.Count;
            context.Response.Headers["X-Rate-Limit"] =
                $"user-hour-lim:{HourlyLimit};user-hour-rem:{Math.Max(remaining - 1, 0)};";
            if (remaining <= 0)
            {
                await WriteAsync(context, 429, RateLimitBody);
                return;
            }
            window.Enqueue(now);
            await next(context);
        });
        MapReviews(app);
        MapUsers(app);
        MapApps(app);
        MapResponses(app);
    }

    partial void MapReviews(WebApplication app);

    partial void MapUsers(WebApplication app);

    partial void MapApps(WebApplication app);

    partial void MapResponses(WebApplication app);

    public static Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    /// <summary>The key id of a valid token, or null.</summary>
    private string? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }
        var parts = header["Bearer ".Length..].Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            using var head = JsonDocument.Parse(Base64Url(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url(parts[1]));
            var kid = head.RootElement.GetProperty("kid").GetString();
            if (head.RootElement.GetProperty("alg").GetString() != "ES256" || kid is null || !keys.TryGetValue(kid,
                out var key))
            {
                return null;
            }
            if (!key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url(parts[2]),
                HashAlgorithmName.SHA256))
            {
                return null;
            }
            var claims = payload.RootElement;
            var iat = claims.GetProperty("iat").GetInt64();
            var exp = claims.GetProperty("exp").GetInt64();
            var now = Clock.GetUtcNow().ToUnixTimeSeconds();
            var valid = claims.GetProperty("aud").GetString() == "appstoreconnect-v1" && exp - iat <= 1200 && exp > now
                && iat <= now + 60;
            return valid ? kid : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException
            or InvalidOperationException)
        {
            return null;
        }
    }

    private static byte[] Base64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}
