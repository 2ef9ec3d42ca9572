using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Accounts;

/// <summary>
/// Confirmation of the addresses ReviewHub emails (route recipients, the owner email), bound from
/// <c>EmailConfirmation__*</c>. The signing key is a Key Vault reference in Azure; see docs/delivery.md.
/// </summary>
internal sealed class EmailConfirmationOptions : IValidatableObject
{
    public const string Section = "EmailConfirmation";

    /// <summary>Base64 HMAC-SHA256 key (at least 32 bytes) that signs confirmation links.</summary>
    [Required]
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>
    /// Public address of this API, e.g. https://func-reviewhub-prod.azurewebsites.net/api; links point below it.
    /// </summary>
    [Required, Url]
    public string LinkBaseUrl { get; set; } = string.Empty;

    /// <summary>How long a confirmation link works.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Minimum time between two confirmation emails to the same address of an account.</summary>
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Confirmation emails one account may cause per day, across all its addresses.</summary>
    [Range(1, 10_000)]
    public int MaxEmailsPerAccountPerDay { get; set; } = 50;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819",
        Justification = "Decoded on each read from the validated base64 setting; callers hash with it once.")]
    public byte[] Key => Convert.FromBase64String(SigningKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        byte[]? key = null;
        try
        {
            key = Key;
        }
        catch (FormatException) { }
        if (key is null || key.Length < 32)
        {
            yield return new ValidationResult(
                "EmailConfirmation:SigningKey must be base64 of at least 32 bytes.",
                [nameof(SigningKey)]
            );
        }
    }
}
