using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Slack;

/// <summary>
/// Slack's request signing (v0): <c>X-Slack-Signature</c> = <c>v0=</c> + hex HMAC-SHA256 of
/// <c>v0:{X-Slack-Request-Timestamp}:{raw body}</c> keyed with the signing secret. A request older (or newer) than
/// the allowed age is refused even when its signature is right, so a captured request cannot be replayed later.
/// </summary>
internal static class SlackSignature
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
