using System.Globalization;
using System.Net;
using System.Text;
using ReviewHub.Accounts;
using ReviewHub.Email;

namespace ReviewHub.Delivery;

/// <summary>
/// Email through SendGrid: always one digest per unit of work (HTML and plain text), to the route's confirmed
/// recipients only (nothing at all while none has confirmed).
/// </summary>
internal sealed class EmailChannel(IEmailSender email, EmailConfirmationStore confirmations) : IDeliveryChannel
{
    public DeliveryChannel Channel => DeliveryChannel.Email;

    public bool SendsDigest(int reviewCount) => true;

    public async Task<string?> SendAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        var recipients = await confirmations.ConfirmedAsync(
            send.Route.AccountId, send.Route.Recipients, cancellationToken);
        if (recipients.Count == 0)
        {
            return null;
        }
        var text = new StringBuilder();
        var html = new StringBuilder($"<h2>{Html(ReviewText.Summary(send))}</h2>");
        foreach (var review in send.Reviews)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{ReviewText.Heading(review)}\n{review.Body}\n{ReviewText.Byline(review)}\n{review.Url}\n\n");
            var body = Html(review.Body ?? string.Empty).Replace("\n", "<br>", StringComparison.Ordinal);
            html.Append(CultureInfo.InvariantCulture, $"<h3>{Html(ReviewText.Heading(review))}</h3><p>{body}</p>")
                .Append(CultureInfo.InvariantCulture, $"<p><small>{Html(ReviewText.Byline(review))}</small> · <a " +
                    $"href=\"{Html(review.Url)}\">Open in ReviewHub</a></p>");
        }
        text.Append(CultureInfo.InvariantCulture, $"All reviews: {send.AppReviewsUrl}\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p><a href=\"{Html(send.AppReviewsUrl)}\">All reviews of {Html(send.App.Name)}</a></p>");
        try
        {
            var message = new EmailMessage(recipients, ReviewText.Summary(send), text.ToString(), html.ToString());
            return await email.SendAsync(message, cancellationToken);
        }
        catch (EmailDeliveryException ex)
        {
            // SendGrid's 401/403 concern our own key or sender, not the customer's route: retry, then poison, then
            // replay.
            throw new ChannelException(ex.Message, retryAfter: ex.RetryAfter, inner: ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new ChannelException($"SendGrid did not answer: {ex.GetType().Name}.", inner: ex);
        }
    }

    private static string Html(string value) => WebUtility.HtmlEncode(value);
}
