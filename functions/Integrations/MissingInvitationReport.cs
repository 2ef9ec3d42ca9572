using Microsoft.Extensions.Logging;
using ReviewHub.Email;

namespace ReviewHub.Integrations;

/// <summary>What an operators' "no invitation found" did.</summary>
internal enum MissingInvitationOutcome
{
    /// <summary>No such connection.</summary>
    Unknown,
    /// <summary>The setup does not wait for an invitation (a key is registered, or nothing is in progress).</summary>
    NotWaitingForInvitation,
    /// <summary>Recorded now: the wait is the customer's, the owner was emailed.</summary>
    Recorded,
    /// <summary>Recorded before: nothing changed, no second email.</summary>
    AlreadyRecorded,
    /// <summary>SendGrid certainly did not take the email: nothing recorded, the operator calls again.</summary>
    EmailNotSent,
}

/// <summary>
/// Operators looked in the integration mailbox and found no invitation from the customer's team: until then their
/// wait looked like their own delay and the setup waited on them for ever. The report hands the wait back to the
/// customer (<see cref="AppStoreConnectObservation.NoInvitationReceived"/>: the deadline moves on by the operators'
/// wait and runs again, and fails as the customer's at its end) and emails the owner once. "I've invited" again, or
/// operators registering the key after all, gives the wait back to operators.
/// </summary>
internal sealed class MissingInvitationReport(
    IntegrationStore store, IntegrationOwnerMail ownerMail, IEmailSender sender, TimeProvider clock,
    ILogger<MissingInvitationReport> logger)
{
    public async Task<MissingInvitationOutcome> ReportAsync(
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var recorded = await store.RecordNoInvitationAsync(accountId, connectionId, now, cancellationToken);
        if (recorded is not true)
        {
            return recorded is null
                ? await store.GetConnectionAsync(accountId, connectionId, cancellationToken) is null
                    ? MissingInvitationOutcome.Unknown
                    : MissingInvitationOutcome.NotWaitingForInvitation
                : MissingInvitationOutcome.AlreadyRecorded;
        }
        logger.LogInformation("Operators found no invitation for {AccountId}/{ConnectionId}: the customer must invite",
            accountId, connectionId);
        var row = await store.GetConnectionAsync(accountId, connectionId, cancellationToken);
        if (row is null || await ownerMail.ComposeAsync(OwnerEmail.NoInvitation, row, cancellationToken)
            is not { } message)
        {
            return MissingInvitationOutcome.Recorded; // the status says the same to the customer
        }
        try
        {
            await sender.SendAsync(message, cancellationToken);
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            logger.LogError(ex, "The no-invitation email of {AccountId}/{ConnectionId} was refused", accountId,
                connectionId);
        }
        catch (Exception ex) when (EmailDeliveryException.CertainlyNotSent(ex))
        {
            logger.LogWarning(ex, "The no-invitation email of {AccountId}/{ConnectionId} was not sent", accountId,
                connectionId);
            await store.WithdrawNoInvitationAsync(accountId, connectionId, now, cancellationToken);
            return MissingInvitationOutcome.EmailNotSent;
        }
        return MissingInvitationOutcome.Recorded;
    }
}
