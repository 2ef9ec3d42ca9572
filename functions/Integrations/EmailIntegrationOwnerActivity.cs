using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using ReviewHub.Email;

namespace ReviewHub.Integrations;

/// <summary>
/// Emails the owner that roles are missing or the setup failed, if the row still runs the attempt in the status the
/// email is about. True when sent; a refused send is logged and not retried (retrying a refused key or address cannot
/// help), other failures throw for the retry policy.
/// </summary>
internal sealed class EmailIntegrationOwnerActivity(
    IntegrationStore store,
    IntegrationOwnerMail ownerMail,
    IEmailSender emailSender,
    ILogger<EmailIntegrationOwnerActivity> logger) : TaskActivity<OwnerEmailRequest, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, OwnerEmailRequest input) =>
        ExecuteAsync(input, CancellationToken.None);

    public async Task<bool> ExecuteAsync(OwnerEmailRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var attempt = input.Attempt;
        var row = await store.GetConnectionAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken);
        if (row is null || row.AttemptId != attempt.AttemptId
            || row.StatusValue != IntegrationEmails.StatusFor(input.Email)
            || await ownerMail.ComposeAsync(input.Email, row, cancellationToken) is not { } message)
        {
            return false;
        }
        try
        {
            await emailSender.SendAsync(message, cancellationToken);
            return true;
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            logger.LogError(ex, "Integration email {Email} for {AccountId}/{ConnectionId} was refused", input.Email,
                attempt.AccountId, attempt.ConnectionId);
            return false;
        }
    }
}
