using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ReviewHub.Fakes;

/// <summary>
/// A Google service account the fake knows: the JSON key file Google issues (<see cref="KeyJson"/>) holds the same
/// fields. Its <c>token_uri</c> points at the fake.
/// </summary>
public sealed record FakeGoogleServiceAccount(
    string ClientEmail, string PrivateKeyId, string PrivateKeyPem, string KeyJson)
{
    public override string ToString() => $"FakeGoogleServiceAccount {{ ClientEmail = {ClientEmail} }}";
}

/// <summary>What Play answers a service account for one package (google-play-api.md §4).</summary>
public enum FakePlayGrant
{
    /// <summary>Invited with "View app information" and "Reply to reviews", and propagated: the API answers.</summary>
    Granted,

    /// <summary>Not invited, not propagated yet, or revoked: 403 PERMISSION_DENIED "insufficient permissions".
    /// </summary>
    Denied,

    /// <summary>The older answer to the same, still reported: 401 with reason <c>permissionDenied</c>.</summary>
    DeniedLegacy,
}

/// <summary>
/// Plays Google's OAuth token endpoint and the reviews methods of the Android Publisher API v3, built from
/// <c>google-play-reviews-discovery.json</c> and <c>google-play-api.md</c>:
/// <list type="bullet">
/// <item><c>POST /token</c>: the JWT-bearer grant; checks RS256 against the service account's key, <c>iss</c>,
/// <c>aud</c> (Google's token URL), <c>scope</c>, <c>exp - iat ≤ 3600</c> and the clock, answering RFC 6749 errors as
/// Google does (<c>invalid_grant</c> "Invalid JWT Signature." and the short-lived-token message).</item>
/// <item>Access tokens live 3599 s on <see cref="FakeHttpServer.Clock"/>; an unknown or expired one gets Google's 401
/// <c>authError</c>.</item>
/// <item>Per (service account, package) grants: unknown package → 404 <c>applicationNotFound</c>; not granted → 403
/// or the legacy 401 <c>permissionDenied</c>.</item>
/// <item>Per-package quotas: GETs per rolling hour (200) and replies per rolling day (2,000), else 429
/// <c>RESOURCE_EXHAUSTED</c>.</item>
/// </list>
/// Errors use Google's JSON envelope <c>{"error":{code,message,errors[],status}}</c>. Token lifetimes, quotas and the
/// 7-day window run on <see cref="FakeHttpServer.Clock"/>; tests that move the app's clock share it.
/// </summary>
public sealed partial class FakeGooglePlay : FakeHttpServer
{
    public const string Scope = "https://www.googleapis.com/auth/androidpublisher";
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>
    /// The <c>aud</c> Google requires of a JWT-bearer assertion. Google.Apis.Auth 1.78 sends this value whatever URL it
    /// posts to (observed against this fake), so the fake checks it rather than its own address.
    /// </summary>
    public const string Audience = "https://oauth2.googleapis.com/token";
    private const string ApiPrefix = "/androidpublisher/v3/applications/";

    private readonly ConcurrentDictionary<string, (RSA Key, string KeyId)> accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Email, DateTimeOffset ExpiresAt)> tokens = new();
    private readonly ConcurrentDictionary<(string Email, string Package), FakePlayGrant> grants = new();
    private readonly ConcurrentDictionary<(string Email, string Package), DateTimeOffset> invitations = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> reads = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> replies = new();
    private int tokenRequests;

    /// <summary>reviews.list and reviews.get per package per rolling hour (google-play-api.md §6).</summary>
    public int HourlyReadQuota { get; set; } = 200;

    /// <summary>reviews.reply per package per rolling day.</summary>
    public int DailyReplyQuota { get; set; } = 2000;

    /// <summary>Access tokens issued by <c>POST /token</c> (successful ones).</summary>
    public int TokenRequests => tokenRequests;

    public Uri TokenUrl => new(BaseAddress, "token");

    public FakeGoogleServiceAccount CreateServiceAccount(string? email = null)
    {
        var clientEmail = email ?? $"reviewhub-{Guid.NewGuid():N}"[..24] + "@reviewhub-play.iam.gserviceaccount.com";
        var rsa = RSA.Create(2048);
        var keyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
        accounts[clientEmail] = (rsa, keyId);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "reviewhub-play",
            ["private_key_id"] = keyId,
            ["private_key"] = pem + "\n",
            ["client_email"] = clientEmail,
            ["client_id"] = RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(
                CultureInfo.InvariantCulture) + "123456789012",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = TokenUrl.ToString(),
        });
        return new FakeGoogleServiceAccount(clientEmail, keyId, pem, json);
    }

    /// <summary>The key was deleted or rotated in Google Cloud: its JWTs fail with "Invalid JWT Signature."</summary>
    public void DeleteKey(string clientEmail)
    {
        if (accounts.TryGetValue(clientEmail, out var account))
        {
            accounts[clientEmail] = (RSA.Create(2048), account.KeyId);
        }
    }

    /// <summary>Google invalidates every access token it issued before their expiry.</summary>
    public void RevokeAccessTokens() => tokens.Clear();

    /// <summary>The customer invited the account in Play Console and the grant reached the API (or not yet); a
    /// revoke. Replaces an invitation still propagating.</summary>
    public void SetGrant(string clientEmail, string packageName, FakePlayGrant grant)
    {
        invitations.TryRemove((clientEmail, packageName), out _);
        grants[(clientEmail, packageName)] = grant;
    }

    /// <summary>
    /// The customer invites the service account in Play Console for one app (or, with <see cref="AllApps"/>, for the
    /// whole developer account, apps added later included): Play answers 403 "insufficient permissions" until
    /// <paramref name="propagation"/> has passed on <see cref="FakeHttpServer.Clock"/> (google-play-api.md §4: up to
    /// 24-48 hours), then reads go through.
    /// </summary>
    public void Invite(string clientEmail, string packageName, TimeSpan propagation)
    {
        grants.TryRemove((clientEmail, packageName), out _);
        invitations[(clientEmail, packageName)] = Clock.GetUtcNow() + propagation;
    }

    /// <summary>The package name of an account-level invitation (Account permissions).</summary>
    public const string AllApps = "*";

    private FakePlayGrant GrantOf(string email, string packageName) =>
        grants.TryGetValue((email, packageName), out var grant) ? grant
        : Propagated(email, packageName) || Propagated(email, AllApps) ? FakePlayGrant.Granted
        : FakePlayGrant.Denied;

    private bool Propagated(string email, string packageName) =>
        invitations.TryGetValue((email, packageName), out var at) && at <= Clock.GetUtcNow();

    /// <summary>Reads of a package counted in the last hour.</summary>
    public int ReadsInLastHour(string packageName) => Count(reads, packageName, TimeSpan.FromHours(1));

    /// <summary>Google's error envelope (google-play-api.md §8).</summary>
    public static string ErrorBody(int code, string status, string message, string reason, string domain = "global",
        string? location = null, string? locationType = null, string? entryMessage = null) =>
        JsonSerializer.Serialize(new
    {
        error = new
        {
            code,
            message,
            errors = new[] { ErrorEntry(entryMessage ?? message, domain, reason, location, locationType) },
            status,
        },
    });

    private static Dictionary<string, string> ErrorEntry(
        string message, string domain, string reason, string? location, string? locationType)
    {
        var entry = new Dictionary<string, string> { ["message"] = message, ["domain"] = domain, ["reason"] = reason };
        if (location is not null && locationType is not null)
        {
            entry["location"] = location;
            entry["locationType"] = locationType;
        }
        return entry;
    }

    public const string InsufficientPermissions =
        "The current user has insufficient permissions to perform the requested operation.";

    public static readonly string InvalidCredentialsBody = ErrorBody(401, "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid " +
        "authentication credential.", "authError", location: "Authorization", locationType: "header",
        entryMessage: "Invalid Credentials");

    public static readonly string PermissionDeniedBody =
        ErrorBody(403, "PERMISSION_DENIED", InsufficientPermissions, "forbidden");

    /// <summary>The legacy answer without <c>status</c>, as older captures show it.</summary>
    public static readonly string LegacyPermissionDeniedBody = JsonSerializer.Serialize(new
    {
        error = new
        {
            code = 401,
            message = InsufficientPermissions,
            errors = new[] { ErrorEntry(InsufficientPermissions, "androidpublisher", "permissionDenied", null, null) },
        },
    });

    public static readonly string ApplicationNotFoundBody = ErrorBody(404, "NOT_FOUND",
        "No application was found for the given package name.", "applicationNotFound",
        location: "packageName", locationType: "parameter");

    public static readonly string QuotaExceededBody = ErrorBody(429, "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per hour' of service " +
        "'androidpublisher.googleapis.com'.", "rateLimitExceeded");

    /// <summary>A 429 as a proxy or Google's front end may send it, with a Retry-After (seconds).</summary>
    public static InjectedFault QuotaExceeded(TimeSpan? retryAfter = null) => new(429, QuotaExceededBody,
        retryAfter is { } wait
            ? new Dictionary<string, string> { ["Retry-After"] = ((int)wait.TotalSeconds).ToString(
                CultureInfo.InvariantCulture) }
            : null);

    public static readonly string BackendErrorBody =
        ErrorBody(503, "UNAVAILABLE", "The service is currently unavailable.", "backendError");

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapPost("/token", IssueTokenAsync);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? string.Empty;
            if (!path.StartsWith(ApiPrefix, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }
            if (Authenticate(context.Request) is not { } email)
            {
                await WriteAsync(context, 401, InvalidCredentialsBody);
                return;
            }
            var packageName = path[ApiPrefix.Length..].Split('/')[0];
            if (!apps.ContainsKey(packageName))
            {
                await WriteAsync(context, 404, ApplicationNotFoundBody);
                return;
            }
            switch (GrantOf(email, packageName))
            {
                case FakePlayGrant.Denied:
                    await WriteAsync(context, 403, PermissionDeniedBody);
                    return;
                case FakePlayGrant.DeniedLegacy:
                    await WriteAsync(context, 401, LegacyPermissionDeniedBody);
                    return;
            }
            var isReply = HttpMethods.IsPost(context.Request.Method);
            if (!TryCount(isReply ? replies : reads, packageName,
                isReply ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1), isReply ? DailyReplyQuota : HourlyReadQuota))
            {
                await WriteAsync(context, 429, QuotaExceededBody);
                return;
            }
            await next(context);
        });
        MapReviews(app);
    }

    partial void MapReviews(WebApplication app);

    public static Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(json);
    }

    private async Task IssueTokenAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        if (form?["grant_type"].ToString() != JwtBearerGrant)
        {
            await TokenErrorAsync(context, 400, "unsupported_grant_type", "Invalid grant_type: " + form?["grant_type"]);
            return;
        }
        var (error, email) = CheckAssertion(form["assertion"].ToString());
        if (error is not null)
        {
            await TokenErrorAsync(context, 400, "invalid_grant", error);
            return;
        }
        var token = "ya29.fake-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        tokens[token] = (email!, Clock.GetUtcNow().AddSeconds(3599));
        Interlocked.Increment(ref tokenRequests);
        await WriteAsync(context, 200, JsonSerializer.Serialize(new
        {
            access_token = token,
            expires_in = 3599,
            token_type = "Bearer",
        }));
    }

    private static Task TokenErrorAsync(HttpContext context, int status, string error, string description) =>
        WriteAsync(context, status, JsonSerializer.Serialize(new { error, error_description = description }));

    /// <summary>The issuer's email for a valid assertion; else Google's <c>error_description</c>.</summary>
    private (string? Error, string? Email) CheckAssertion(string assertion)
    {
        const string BadSignature = "Invalid JWT Signature.";
        const string NotShortLived = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a " +
            "reasonable timeframe. Check your iat and exp values in the JWT claim.";
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return ("Invalid JWT: the assertion is not a signed JWT.", null);
        }
        try
        {
            using var head = JsonDocument.Parse(Base64Url(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url(parts[1]));
            var claims = payload.RootElement;
            var email = claims.GetProperty("iss").GetString() ?? string.Empty;
            if (head.RootElement.GetProperty("alg").GetString() != "RS256"
                || !accounts.TryGetValue(email, out var account)
                || !account.Key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url(parts[2]),
                    HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return (BadSignature, null);
            }
            var iat = claims.GetProperty("iat").GetInt64();
            var exp = claims.GetProperty("exp").GetInt64();
            var now = Clock.GetUtcNow().ToUnixTimeSeconds();
            if (exp - iat > 3600 || exp <= now || iat > now + 60)
            {
                return (NotShortLived, null);
            }
            if (claims.GetProperty("aud").GetString() != Audience)
            {
                return ("Invalid JWT: the audience is not " + Audience + ".", null);
            }
            var scopes = claims.GetProperty("scope").GetString()?.Split(' ') ?? [];
            return scopes.Contains(Scope) ? (null, email) : ("Invalid JWT: no scope granted.", null);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException
            or InvalidOperationException)
        {
            return (BadSignature, null);
        }
    }

    /// <summary>The service account behind a valid, unexpired access token, or null.</summary>
    private string? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal)
            && tokens.TryGetValue(header["Bearer ".Length..], out var token) && token.ExpiresAt > Clock.GetUtcNow()
                ? token.Email
                : null;
    }

    private bool TryCount(
        ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> windows, string packageName, TimeSpan window,
        int limit)
    {
        var calls = windows.GetOrAdd(packageName, _ => new ConcurrentQueue<DateTimeOffset>());
        var now = Clock.GetUtcNow();
        lock (calls)
        {
            while (calls.TryPeek(out var oldest) && oldest <= now - window)
            {
                calls.TryDequeue(out _);
            }
            if (calls.Count >= limit)
            {
                return false;
            }
            calls.Enqueue(now);
            return true;
        }
    }

    private int Count(ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> windows, string packageName,
        TimeSpan window) =>
        windows.TryGetValue(packageName, out var calls) ? calls.Count(t => t > Clock.GetUtcNow() - window) : 0;

    private static byte[] Base64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}
