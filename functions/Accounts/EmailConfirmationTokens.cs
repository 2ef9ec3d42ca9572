using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ReviewHub.Storage;

namespace ReviewHub.Accounts;

/// <summary>What a confirmation link says: this address, for this account, until then.</summary>
internal sealed record EmailConfirmationClaim(string AccountId, string Address, DateTimeOffset ExpiresAt);

/// <summary>
/// Confirmation link tokens: <c>{accountId}.{base64url(address)}.{expires, Unix seconds}.{base64url(HMAC-SHA256)}</c>,
/// signed with <see cref="EmailConfirmationOptions.SigningKey"/>. Only ReviewHub can make one, and it names everything
/// the confirmation needs, so the anonymous confirm endpoint trusts nothing else from the request.
/// </summary>
internal sealed class EmailConfirmationTokens(IOptions<EmailConfirmationOptions> options)
{
    public string Create(EmailConfirmationClaim claim)
    {
        var payload = Payload(
            claim.AccountId,
            EmailConfirmationEntity.Normalise(claim.Address),
            claim.ExpiresAt.ToUnixTimeSeconds()
        );
        return $"{payload}.{Base64Url(Sign(payload))}";
    }

    /// <summary>The claim of a well-formed, correctly signed token (expired or not); null for anything else.</summary>
    public EmailConfirmationClaim? Read(string token)
    {
        var parts = token.Split('.');
        if (
            parts.Length != 4
            || !Ids.IsValid(parts[0])
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || FromBase64Url(parts[1]) is not { } addressBytes
            || FromBase64Url(parts[3]) is not { } signature
        )
        {
            return null;
        }
        var payload = string.Join('.', parts[..3]);
        if (!CryptographicOperations.FixedTimeEquals(Sign(payload), signature))
        {
            return null;
        }
        return new EmailConfirmationClaim(
            parts[0],
            Encoding.UTF8.GetString(addressBytes),
            DateTimeOffset.FromUnixTimeSeconds(expires)
        );
    }

    private static string Payload(string accountId, string address, long expires) =>
        $"{accountId}.{Base64Url(Encoding.UTF8.GetBytes(address))}.{expires.ToString(CultureInfo.InvariantCulture)}";

    private byte[] Sign(string payload) =>
        HMACSHA256.HashData(options.Value.Key, Encoding.UTF8.GetBytes($"email-confirmation|{payload}"));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length == 0 || text.Length > 1024 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }
        var padded = text.Replace('-', '+').Replace('_', '/');
        try
        {
            return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
