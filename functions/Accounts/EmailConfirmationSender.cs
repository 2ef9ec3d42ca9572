using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Email;
using ReviewHub.Storage;

namespace ReviewHub.Accounts;

/// <summary>
/// Sends confirmation links. The email carries no text a customer chose (no account, app or route name): it cannot be
/// used to relay a message from ReviewHub's verified sender. At most one per address per
/// <see cref="EmailConfirmationOptions.ResendInterval"/> and <see
/// cref="EmailConfirmationOptions.MaxEmailsPerAccountPerDay"/> per account.
/// </summary>
internal sealed class EmailConfirmationSender(
    EmailConfirmationStore store,
    EmailConfirmationTokens tokens,
    RateLimiter limiter,
    IEmailSender email,
    TimeProvider clock,
    IOptions<EmailConfirmationOptions> options,
    ILogger<EmailConfirmationSender> logger
)
{
    public const string Subject = "Confirm email notifications from ReviewHub";

    public async Task SendAsync(EmailConfirmationMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var claimed = await store.TryClaimSendAsync(
            message.AccountId,
            message.Address,
            settings.ResendInterval,
            cancellationToken
        );
        if (claimed is null)
        {
            return; // confirmed, unknown, or a link went out moments ago (a duplicate message)
        }
        var budget = await limiter.TryAcquireAsync(
            message.AccountId,
            "email-confirmations",
            settings.MaxEmailsPerAccountPerDay,
            TimeSpan.FromDays(1),
            cancellationToken
        );
        if (!budget.Allowed)
        {
            logger.LogWarning(
                "Account {AccountId} reached its daily confirmation emails; {Address} stays pending",
                message.AccountId,
                message.Address
            );
            await store.ReleaseSendAsync(claimed, cancellationToken);
            return;
        }
        var expires = clock.GetUtcNow() + settings.LinkLifetime;
        var link =
            $"{settings.LinkBaseUrl.TrimEnd('/')}/email-confirmations/"
            + tokens.Create(new EmailConfirmationClaim(message.AccountId, claimed.Address, expires));
        var text =
            $"Someone using ReviewHub asked to send notifications (new app reviews, or notices about an account) to "
            + $"{claimed.Address}. Nothing is sent to this address unless you confirm:\n\n{link}\n\n"
            + $"The link works until {expires:yyyy-MM-dd HH:mm} UTC. If you did not expect this email, ignore it.\n";
        var html =
            $"<p>Someone using ReviewHub asked to send notifications (new app reviews, or notices about an account) to "
            + $"{WebUtility.HtmlEncode(claimed.Address)}. Nothing is sent to this address unless you confirm.</p>"
            + $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">Review and confirm</a></p>"
            + $"<p>The link works until {expires:yyyy-MM-dd HH:mm} UTC. "
            + "If you did not expect this email, ignore it.</p>";
        try
        {
            await email.SendAsync(new EmailMessage([claimed.Address], Subject, text, html), cancellationToken);
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            // A refused address or our own key: retrying cannot help; the SPA can resend later.
            logger.LogError(ex, "Confirmation email for account {AccountId} was refused", message.AccountId);
        }
        catch
        {
            await store.ReleaseSendAsync(claimed, CancellationToken.None);
            throw;
        }
    }
}
