namespace ReviewHub.Email;

internal interface IEmailSender
{
    /// <summary>Sends one message (HTML and plain text); returns the provider's message id. Throws <see
    /// cref="EmailDeliveryException"/>.</summary>
    Task<string?> SendAsync(EmailMessage message, CancellationToken cancellationToken);
}
