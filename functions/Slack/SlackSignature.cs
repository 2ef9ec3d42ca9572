using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Slack;

/// <summary>
/// Slack's request signing (v0): <c>X-Slack-Signature</c> = <c>v0=</c> + hex HMAC-SHA256 of
/// <c>v0:{X-Slack-Request-Timestamp}:{raw body}</c> keyed with the signing secret. A request older (or newer) than
/// the allowed age is refused even when its signature is right, so a captured request cannot be replayed later.
/// </summary>
public static class SlackSignature
{
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp.ToString(CultureInfo.InvariantCulture)}:");
        var basestring = new byte[prefix.Length + body.Length];
        prefix.CopyTo(basestring, 0);
        body.CopyTo(basestring.AsSpan(prefix.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), basestring));
    }

    public static bool IsValid(
        string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now,
        TimeSpan maxAge)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || signature is null || !signature.StartsWith("v0=", StringComparison.Ordinal))
        {
            return false;
        }
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > maxAge.TotalSeconds)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}

/// <summary>
/// One-time-style links that bind a Slack user to the ReviewHub member who opens them while signed in:
/// <c>{base64url(team|user|expiry)}.{base64url(HMAC)}</c>, keyed with a key derived from the signing secret (domain
/// separated, so it signs nothing Slack would accept). Only the Slack user sees the link (an ephemeral message).
/// </summary>
public sealed class SlackLinkTokens(string signingSecret)
{
    private readonly byte[] key = HMACSHA256.HashData(
        Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes("reviewhub-slack-user-link-v1"));

    public string Create(string teamId, string slackUserId, DateTimeOffset expiresAt)
    {
        var payload = Encoding.UTF8.GetBytes(
            $"{teamId}|{slackUserId}|{expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(key, payload))}";
    }

    /// <summary>The Slack identity a genuine token names, with its expiry; null for anything ReviewHub did not
    /// sign.</summary>
    public (string TeamId, string SlackUserId, DateTimeOffset ExpiresAt)? Read(string? token)
    {
        var parts = token?.Split('.') ?? [];
        if (parts.Length != 2 || FromBase64Url(parts[0]) is not { } payload || FromBase64Url(parts[1]) is not { } mac
            || !CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(key, payload)))
        {
            return null;
        }
        var fields = Encoding.UTF8.GetString(payload).Split('|');
        return fields.Length == 3 && long.TryParse(fields[2], CultureInfo.InvariantCulture, out var expiry)
            ? (fields[0], fields[1], DateTimeOffset.FromUnixTimeSeconds(expiry))
            : null;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
