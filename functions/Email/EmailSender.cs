using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using ReviewHub.Http;
using ReviewHub.Text;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace ReviewHub.Email;

public sealed record EmailMessage(IReadOnlyList<string> To, string Subject, string PlainText, string Html);

/// <summary>The email provider refused or failed a message (after the client's retries of 429s).</summary>
public sealed class EmailDeliveryException(HttpStatusCode status, string detail, TimeSpan? retryAfter)
    : Exception($"Email provider answered {(int)status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>401/403: the key is wrong, revoked, out of credits or the sender is unverified; retrying will not
    /// help.</summary>
    public bool IsPermanent =>
        Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        or HttpStatusCode.RequestEntityTooLarge;

    /// <summary>
    /// True when a failed send certainly did not hand the message over: SendGrid answered with an error (it takes a
    /// message only with 202), or it was never reached (no connection, open circuit). A timeout or a connection lost
    /// mid-request may have delivered it.
    /// </summary>
    public static bool CertainlyNotSent(Exception exception) =>
        exception is EmailDeliveryException or BrokenCircuitException || OutboundResilience.NeverConnected(exception);
}

public interface IEmailSender
{
    /// <summary>Sends one message (HTML and plain text); returns the provider's message id. Throws <see
    /// cref="EmailDeliveryException"/>.</summary>
    Task<string?> SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

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
