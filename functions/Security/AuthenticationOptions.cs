using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Security;

/// <summary>
/// Bearer token validation, bound from <c>Auth__*</c>. In Azure, <see cref="Authority"/> points at the Entra ID tenant
/// and keys come from its OpenID metadata; locally and in tests, <see cref="SigningKey"/> (base64, HMAC-SHA256) lets
/// tokens be minted.
/// </summary>
internal sealed class AuthenticationOptions : IValidatableObject
{
    public const string Section = "Auth";

    [Required]
    public string Issuer { get; set; } = string.Empty;

    [Required]
    public string Audience { get; set; } = string.Empty;

    /// <summary>OpenID Connect authority, e.g. https://login.microsoftonline.com/{tenant}/v2.0.</summary>
    public string? Authority { get; set; }

    /// <summary>Base64 symmetric key for locally minted tokens (development and tests only).</summary>
    public string? SigningKey { get; set; }

    /// <summary>Value of the <c>roles</c> claim that grants the operator (admin) endpoints.</summary>
    [Required]
    public string OperatorRole { get; set; } = "ReviewHub.Operator";

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Authority) == string.IsNullOrWhiteSpace(SigningKey))
        {
            yield return new ValidationResult(
                "Set exactly one of Auth:Authority (Entra ID) or Auth:SigningKey (local tokens).",
                [nameof(Authority), nameof(SigningKey)]);
        }
        if (!string.IsNullOrWhiteSpace(SigningKey))
        {
            var bytes = TryDecode(SigningKey);
            if (bytes is null || bytes.Length < 32)
            {
                yield return new ValidationResult("Auth:SigningKey must be base64 of at least 32 bytes.",
                    [nameof(SigningKey)]);
            }
        }
    }

    private static byte[]? TryDecode(string value)
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
