using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Slack;

/// <summary>
/// One-time-style links that bind a Slack user to the ReviewHub member who opens them while signed in:
/// <c>{base64url(team|user|expiry)}.{base64url(HMAC)}</c>, keyed with a key derived from the signing secret (domain
/// separated, so it signs nothing Slack would accept). Only the Slack user sees the link (an ephemeral message).
/// </summary>
internal sealed class SlackLinkTokens(string signingSecret)
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
