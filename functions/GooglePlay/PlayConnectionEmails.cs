using System.Net;
using Microsoft.Extensions.Logging;
using ReviewHub.Email;
using ReviewHub.Integrations;

namespace ReviewHub.GooglePlay;

/// <summary>The owner emails of a Google Play connection.</summary>
internal enum PlayOwnerEmail { Activated, Failed, Degraded, OperatorsLate }

/// <summary>
/// Sends the owner's Play connection emails at most once per occasion (an attempt's activation or failure, a
/// degradation's cause), under replays and duplicate delivery alike: the occasion is claimed on the row before the
/// send; a send that certainly did not hand the message over gives the claim back and throws (the activity or the queue
/// retries); a send without an answer keeps it (it may have arrived). Addressed through the connections' shared owner
/// plumbing (<see cref="IntegrationOwnerMail"/>: the owner's confirmed address only).
/// </summary>
internal sealed class PlayConnectionEmails(
    PlayConnectionStore store, IntegrationOwnerMail ownerMail, IEmailSender sender,
    ILogger<PlayConnectionEmails> logger)
{
    /// <summary>True when this call sent it (or SendGrid's answer was lost after the claim).</summary>
    public async Task<bool> SendOnceAsync(string accountId, PlayOwnerEmail email, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(accountId, cancellationToken);
        if (row is null || OccasionOf(row, email) is not { } occasion
            || await ownerMail.AddressAsync(accountId, $"google-play-{email}", cancellationToken) is not { } owner
            || !await store.ClaimEmailAsync(accountId, email, occasion, cancellationToken))
        {
            return false;
        }
        try
        {
            await sender.SendAsync(Compose(email, row, owner), cancellationToken);
        }
        catch (EmailDeliveryException ex) when (ex.IsPermanent)
        {
            logger.LogError(ex, "The Google Play {Email} email of {AccountId} was refused", email, accountId);
            return false;
        }
        catch (Exception ex) when (EmailDeliveryException.CertainlyNotSent(ex))
        {
            await store.ReleaseEmailAsync(accountId, email, occasion, cancellationToken);
            throw;
        }
        return true;
    }

    /// <summary>What the email is about, while the row still shows it (an email whose moment passed is not sent).
    /// </summary>
    private static string? OccasionOf(PlayConnectionEntity row, PlayOwnerEmail email) => email switch
    {
        PlayOwnerEmail.Activated when row.IsInForce => row.AttemptId,
        PlayOwnerEmail.Failed when row.StatusValue == PlayConnectionStatus.Failed => row.AttemptId,
        PlayOwnerEmail.Degraded when row.StatusValue == PlayConnectionStatus.Degraded => row.DegradationKey,
        PlayOwnerEmail.OperatorsLate when row is { StatusValue: PlayConnectionStatus.Verifying,
            ObservationOnOperators: true } => row.AttemptId,
        _ => null,
    };

    public static EmailMessage Compose(PlayOwnerEmail email, PlayConnectionEntity row, string ownerEmail)
    {
        var (subject, paragraphs) = email switch
        {
            PlayOwnerEmail.Activated => ("Your Android apps are connected to Google Play", new[]
            {
                $"ReviewHub verified the access of {row.ServiceAccountEmail}: your Android apps' reviews now sync " +
                    "every hour, and replies go to Google Play.",
                "Google Play shows only reviews with text from the last 7 days; ReviewHub reads them from now on.",
            }),
            PlayOwnerEmail.Failed => ("Google Play setup stopped", new[]
            {
                $"ReviewHub could not verify the access of {row.ServiceAccountEmail} in time. {row.FailureReason}",
                $"Next steps: in Play Console → Users and permissions, invite {row.ServiceAccountEmail} with " +
                    $"{PlayConnectionActors.Permissions}, then tell ReviewHub you invited it to start a new attempt.",
            }),
            PlayOwnerEmail.OperatorsLate => ("ReviewHub is late connecting your Android apps", new[]
            {
                $"Connecting your Android apps to Google Play waits on ReviewHub's operators: {row.LastObservation}",
                "This is our delay, not yours: your setup does not expire while we are the ones to act, and it " +
                    "completes as soon as our operators have done their part. They have been alerted.",
                $"If you have not invited {row.ServiceAccountEmail} yet, invite it now in Play Console → Users and " +
                    $"permissions with {PlayConnectionActors.Permissions}.",
            }),
            _ => ("Action needed: your Google Play connection stopped working", new[]
            {
                $"Google Play no longer takes ReviewHub's connection: {row.DegradedReason}",
                "Until it is fixed, Google Play reviews do not sync and replies cannot be sent. Nothing is lost that " +
                    "is still in Google Play's 7-day window: once it works again, ReviewHub fetches it.",
                "After fixing it, click \"I fixed it\" in ReviewHub, or wait for ReviewHub's daily check.",
            }),
        };
        return new EmailMessage([ownerEmail], subject, string.Join("\n\n", paragraphs),
            string.Concat(paragraphs.Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>")));
    }
}
