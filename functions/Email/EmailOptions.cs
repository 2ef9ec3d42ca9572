using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Email;

/// <summary>SendGrid settings, bound from <c>Email__*</c>. The API key is a Key Vault reference in Azure.</summary>
internal sealed class EmailOptions
{
    public const string Section = "Email";

    [Required]
    public string SendGridApiKey { get; set; } = string.Empty;

    /// <summary>SendGrid's API host; tests point it at the fake server.</summary>
    [Required, Url]
    public string SendGridBaseUrl { get; set; } = "https://api.sendgrid.com";

    [Required, EmailAddress]
    public string FromAddress { get; set; } = string.Empty;

    [Required]
    public string FromName { get; set; } = "ReviewHub";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
