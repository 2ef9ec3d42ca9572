using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Text;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace ReviewHub.Email;

/// <summary>
/// SendGrid v3 mail send over the app's resilient HttpClient. mail/send is not idempotent, so the pipeline retries only
/// 429s and failed connections; a timeout or 5xx fails the call and the caller retries (delivery's queue, the email
/// activity).
/// </summary>
internal sealed class SendGridEmailSender(HttpClient httpClient, IOptions<EmailOptions> options,
    ILogger<SendGridEmailSender> logger) : IEmailSender
{
    public const int MaxSubjectLength = 200;

    public async Task<string?> SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = new SendGridClient(httpClient,
            new SendGridClientOptions { ApiKey = settings.SendGridApiKey, Host = settings.SendGridBaseUrl });
        var mail = new SendGridMessage
        {
            From = new EmailAddress(settings.FromAddress, settings.FromName),
            // Subjects carry names people chose (apps, routes): one line, cut at a grapheme, whatever the caller sent.
            Subject = DisplayText.Truncate(DisplayText.OneLine(message.Subject), MaxSubjectLength),
            PlainTextContent = message.PlainText,
            HtmlContent = message.Html,
        };
        mail.AddTos(message.To.Select(to => new EmailAddress(to)).ToList());

        var response = await client.SendEmailAsync(mail, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var id = response.Headers.TryGetValues("X-Message-Id", out var values) ? values.FirstOrDefault() : null;
            logger.LogInformation("Email {Subject} accepted for {RecipientCount} recipients as {MessageId}",
                message.Subject, message.To.Count, id);
            return id;
        }

        var body = await response.Body.ReadAsStringAsync(cancellationToken);
        throw new EmailDeliveryException(response.StatusCode, body, RetryAfter.Of(response.Headers));
    }
}
