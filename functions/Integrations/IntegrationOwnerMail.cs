using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Email;

namespace ReviewHub.Integrations;

/// <summary>
/// Addresses the integration's owner emails: to the account owner, only once the owner confirmed that address (the
/// status endpoint shows the same news), and not at all for an account being removed.
/// </summary>
internal sealed class IntegrationOwnerMail(
    AccountStore accounts,
    EmailConfirmationStore confirmations,
    IOptions<IntegrationOptions> options,
    ILogger<IntegrationOwnerMail> logger)
{
    public async Task<EmailMessage?> ComposeAsync(
        OwnerEmail email, IntegrationEntity row, CancellationToken cancellationToken) =>
        await AddressAsync(row.AccountId, $"{email}", cancellationToken) is { } owner
            ? IntegrationEmails.Compose(email, row, $"your App Store Connect team {row.Team}", owner, options.Value)
            : null;

    /// <summary>
    /// The owner's address for a connection email (<paramref name="what"/> names it in the log), or null: the account
    /// is gone, or its owner has not confirmed the address. Google Play connections address theirs through it too.
    /// </summary>
    public async Task<string?> AddressAsync(string accountId, string what, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken);
        if (account is null)
        {
            return null;
        }
        if (!await confirmations.IsConfirmedAsync(account.AccountId, account.OwnerEmail, cancellationToken))
        {
            logger.LogInformation("Connection email {Email} for {AccountId} not sent: the owner email is not confirmed",
                what, accountId);
            return null;
        }
        return account.OwnerEmail;
    }
}

/// <summary>
/// The owner's email about a degraded connection: at most once per cause and degradation, like the "connected" email.
/// The cause is claimed on the row before the send; a send that certainly did not hand the message over gives the claim
/// back and throws (the queue retries the check); a send without an answer keeps it (it may have arrived).
/// </summary>
internal sealed class IntegrationDegradedEmails(
    IntegrationStore store, IntegrationOwnerMail ownerMail, IEmailSender sender,
    ILogger<IntegrationDegradedEmails> logger)
{
    public async Task SendOnceAsync(
        string accountId, string connectionId, ConnectionProblem cause, CancellationToken cancellationToken)
    {
        var row = await store.GetConnectionAsync(accountId, connectionId, cancellationToken);
        if (row is not { IsDegraded: true } || row.DegradedCauseValue != cause
            || row.DegradedEmailCause == row.DegradedCause
            || await ownerMail.ComposeAsync(OwnerEmail.Degraded, row, cancellationToken) is not { } message
            || !await store.ClaimDegradedEmailAsync(accountId, connectionId, cause, cancellationToken))
        {
            return;
        }
        try
        {
            await sender.SendAsync(message, cancellationToken);
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            logger.LogError(
                ex, "The degraded-connection email of {AccountId}/{ConnectionId} was refused", accountId, connectionId);
        }
        catch (Exception ex) when (EmailDeliveryException.CertainlyNotSent(ex))
        {
            await store.ReleaseDegradedEmailAsync(accountId, connectionId, cause, cancellationToken);
            throw;
        }
    }
}
