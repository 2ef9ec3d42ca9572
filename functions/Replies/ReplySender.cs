using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Apps;
using ReviewHub.Storage;
using ReviewHub.Reviews;

namespace ReviewHub.Replies;

/// <summary>
/// Applies one version of a reply to App Store Connect: POST creates or overwrites the response, DELETE removes it.
/// Only the newest version is applied, and only once; a lease on the reply keeps two senders from overtaking each
/// other. Transient failures come back through the queue with growing delays; after the budget the message goes to
/// the poison queue. A rate limit with a long Retry-After comes back after that wait without spending an attempt
/// (up to MaxDeferrals).
/// </summary>
internal sealed class ReplySender(
    AppStore apps, ReviewReader reviewReader,
    ReplyStore store,
    ReplyCredentials replyCredentials,
    IntegrationKeyRefusals keyRefusals,
    CustomerReviewResponses responses,
    PlayReplyPublisher play,
    IMessageQueue queue,
    TimeProvider clock,
    IOptions<ReplyOptions> options,
    IOptions<OutboundHttpOptions> outbound,
    ILogger<ReplySender> logger)
{
    private enum Decision { Send, Superseded, AlreadyDone, Busy, Gone }

    public const string NotInAppStoreConnect =
        "App Store Connect has no copy of this review: it was read from the public App Store feed and has not been "
        + "matched with a review of the App Store Connect import.";

    public const string AnsweredElsewhere =
        "Someone answered this review in App Store Connect after the rule wrote this reply; an automatic reply never "
        + "overwrites a person's.";

    public async Task SendAsync(ReplySendMessage message, CancellationToken cancellationToken)
    {
        if (await apps.GetAsync(message.AccountId, message.AppId, cancellationToken) is not { } app)
        {
            // Removed: its purge deletes the reply; sending now would write index rows after it (see
            // AppRemovalFunctions).
            logger.LogInformation("Skipped reply version {Version} of review {ReviewId}: app {AppId} was removed",
                message.Version, message.ReviewId, message.AppId);
            return;
        }
        var now = clock.GetUtcNow();
        var decision = Decision.Gone;
        var busyUntil = now;
        var reply = await store.UpdateAsync(message.AppId, message.ReviewId, reply =>
        {
            decision = Decide(reply, message, now);
            if (decision == Decision.Busy)
            {
                busyUntil = reply.ClaimedAt!.Value + options.Value.SendLease;
            }
            if (decision != Decision.Send)
            {
                return false;
            }
            reply.Status = nameof(ReplyStatus.Sending);
            reply.ClaimedVersion = message.Version;
            reply.ClaimedAt = now;
            reply.Attempts = message.Attempt;
            reply.NextAttemptAt = null;
            return true;
        }, cancellationToken);

        switch (decision)
        {
            case Decision.Send when app.Store == Stores.GooglePlay:
                await ApplyOnPlayAsync(app, reply!, message, cancellationToken);
                return;
            case Decision.Send:
                await ApplyAsync(reply!, message, cancellationToken);
                return;
            case Decision.Superseded:
                await store.SetOutcomeAsync(message.AppId, message.ReviewId, message.Version, ReplyOutcome.Superseded,
                    $"Version {reply!.Version} replaced it before it was sent.", cancellationToken,
                        ReplyOutcome.Queued);
                logger.LogInformation(
                    "Skipped reply version {Version} of review {ReviewId} (app {AppId}): a newer version exists",
                    message.Version, message.ReviewId, message.AppId);
                return;
            case Decision.Busy:
                // Another sender is calling App Store Connect for this review: look again once its lease is over.
                await queue.SendAsync(ReplyQueues.ReplySends, message, Max(busyUntil - now, TimeSpan.FromSeconds(1)),
                    cancellationToken);
                return;
            default:
                logger.LogInformation(
                    "Nothing to send for reply version {Version} of review {ReviewId} (app {AppId}): {Decision}",
                    message.Version, message.ReviewId, message.AppId, decision);
                return;
        }
    }

    private Decision Decide(ReplyEntity reply, ReplySendMessage message, DateTimeOffset now)
    {
        if (reply.Version > message.Version)
        {
            return Decision.Superseded;
        }
        if (reply.Version < message.Version || reply.AppliedVersion >= message.Version)
        {
            return Decision.AlreadyDone;
        }
        if (reply.IsClaimed(now, options.Value.SendLease))
        {
            return Decision.Busy;
        }
        // Failed is final unless it was the retry budget running out: then an operator's replay from the poison queue
        // sends it.
        return reply.StatusValue switch
        {
            ReplyStatus.Queued or ReplyStatus.Sending or ReplyStatus.Paused => Decision.Send,
            ReplyStatus.Failed when reply.FailureCode == nameof(ReplyFailure.Unavailable) => Decision.Send,
            _ => Decision.AlreadyDone,
        };
    }

    private async Task ApplyAsync(ReplyEntity reply, ReplySendMessage message, CancellationToken cancellationToken)
    {
        if (reply.ActionValue == ReplyAction.Delete && reply.ResponseId is null)
        {
            // The version sent before this delete never reached App Store Connect: nothing to call.
            await CompleteAsync(message, null, ReplyStatus.Deleted, cancellationToken);
            return;
        }
        var key = await replyCredentials.LoadAsync(reply.AccountId, reply.AppId, cancellationToken);
        if (key.HeldBecause is { } cause)
        {
            // Degraded: App Store Connect would refuse the key; the reply waits for the connection to work again.
            await HoldAsync(message, cause, cancellationToken);
            return;
        }
        var (credential, connection, unusable) = key;
        if (credential is null || connection is null)
        {
            var failure = unusable ?? ReplyFailure.CredentialMissing;
            await FailAsync(message, failure, ReplyCredentials.Explain(failure), cancellationToken);
            return;
        }
        try
        {
            if (reply.ActionValue == ReplyAction.Publish)
            {
                // A review first read from the public feed keeps its feed id in ReviewHub; App Store Connect knows it
                // by its own.
                var review = await reviewReader.FindForAccountAsync(
                    reply.AccountId, reply.AppId, reply.ReviewId, cancellationToken);
                if (review?.AppStoreConnectId is not { } ascReviewId)
                {
                    await FailAsync(message, ReplyFailure.ReviewNotFound, NotInAppStoreConnect, cancellationToken);
                    return;
                }
                if (reply.RuleId is not null && reply.AppliedVersion == 0 && review.ResponseId is not null)
                {
                    // Ingestion saw a response this reply did not make: someone answered in App Store Connect after
                    // the rule wrote it. App Store Connect's POST would overwrite theirs.
                    await FailAsync(message, ReplyFailure.AnsweredElsewhere, AnsweredElsewhere, cancellationToken);
                    return;
                }
                var resource = await responses.CreateOrReplaceAsync(
                    credential, ascReviewId, reply.Body!, cancellationToken);
                await keyRefusals.ReplyAcceptedAsync(connection, cancellationToken);
                var published = resource.Attributes?.State == CustomerReviewResponses.Published;
                if (!published)
                {
                    // Indexed before the reply says PendingPublish, so the moderation timer can never miss it.
                    await store.TrackPendingAsync(reply, message.Version, clock.GetUtcNow(), cancellationToken);
                }
                await CompleteAsync(message, resource.Id, published ? ReplyStatus.Published
                    : ReplyStatus.PendingPublish, cancellationToken);
            }
            else
            {
                await responses.DeleteAsync(credential, reply.ResponseId!, cancellationToken);
                await keyRefusals.AcceptedAsync(connection, cancellationToken);
                await store.UntrackUpToAsync(reply.AppId, reply.ReviewId, message.Version, cancellationToken);
                await CompleteAsync(message, null, ReplyStatus.Deleted, cancellationToken);
            }
        }
        catch (AppStoreConnectException ex) when (ex is { IsTransient: true, RetryAfter: { } retryAfter }
            && message.Deferrals < options.Value.MaxDeferrals)
        {
            // Apple asked for a longer wait than the client spends in process: come back then, attempt not spent.
            var delay = outbound.Value.DeferralFor(retryAfter);
            await RequeueAsync(message with { Deferrals = message.Deferrals + 1, LastError = ex.Message }, delay,
                cancellationToken);
            logger.LogWarning(
                "Reply version {Version} of review {ReviewId} (app {AppId}) is rate limited; resumes in {Delay}",
                message.Version, message.ReviewId, message.AppId, delay);
        }
        catch (AppStoreConnectException ex) when (ex.IsTransient
            || ex.Failure == AppStoreConnectFailure.MalformedResponse)
        {
            // A 2xx with an unreadable body may still have been applied: sending the same version again only
            // overwrites it.
            await RetryOrPoisonAsync(message, ex.Message, cancellationToken);
        }
        catch (AppStoreConnectException ex)
        {
            var (code, reason) = Explain(ex);
            if (await keyRefusals.ReplyRefusedAsync(connection, ex, cancellationToken)
                && ex.Failure == AppStoreConnectFailure.NotAuthorized
                && message.Attempt < options.Value.MaxSendAttempts)
            {
                // The key itself was refused (401): the connection is degraded now and its check is queued; this reply
                // waits like the ones written after it. A 403 may be this reply's own (the role may not reply, which
                // no check can see): it fails, or a passing check would release it into the same 403 again. Each
                // release after a refusal spends an attempt, so a key refused again and again ends in a failure.
                await HoldAsync(message with { Attempt = message.Attempt + 1 }, reason, cancellationToken);
                return;
            }
            await FailAsync(message, code, reason, cancellationToken);
        }
    }

    /// <summary>
    /// Google Play: one reply per review, set or replaced, published at once; no delete exists (the API refuses a
    /// delete of a Play review's reply before it is written).
    /// </summary>
    private async Task ApplyOnPlayAsync(
        AppEntity app, ReplyEntity reply, ReplySendMessage message, CancellationToken cancellationToken)
    {
        switch (await play.PublishAsync(app, reply.ReviewId, reply.Body!, cancellationToken))
        {
            case PlayReplyResult.Published:
                await CompleteAsync(message, reply.ReviewId, ReplyStatus.Published, cancellationToken);
                return;
            case PlayReplyResult.Transient { RetryAfter: { } retryAfter } limited
                when message.Deferrals < options.Value.MaxDeferrals:
                await RequeueAsync(message with { Deferrals = message.Deferrals + 1, LastError = limited.Error },
                    outbound.Value.DeferralFor(retryAfter), cancellationToken);
                return;
            case PlayReplyResult.Transient transient:
                await RetryOrPoisonAsync(message, transient.Error, cancellationToken);
                return;
            case PlayReplyResult.Failed failed:
                await FailAsync(message, failed.Code, failed.Reason, cancellationToken);
                return;
        }
    }

    public static (ReplyFailure Code, string Reason) Explain(AppStoreConnectException ex) => ex.Failure switch
    {
        AppStoreConnectFailure.Forbidden => (ReplyFailure.RoleMissing,
            "App Store Connect refused: the integration user's role does not allow replying. Give it the Customer " +
                "Support (or Admin) role in Users and Access."),
        AppStoreConnectFailure.AgreementsMissing => (ReplyFailure.AgreementsMissing,
            "A required agreement is missing or has expired: the Account Holder must accept it in App Store Connect " +
                "(Business)."),
        AppStoreConnectFailure.NotFound => (ReplyFailure.ReviewNotFound,
            "App Store Connect no longer has this review (the customer or Apple removed it)."),
        AppStoreConnectFailure.NotAuthorized => (ReplyFailure.CredentialRejected,
            "App Store Connect rejected the integration's API key (revoked or replaced); ReviewHub operators must " +
                "register a new one."),
        _ => (ReplyFailure.Rejected,
            $"App Store Connect rejected the reply ({ex.Code ?? ex.Status?.ToString() ?? "no code"}). {ex.Message}"),
    };

    private async Task CompleteAsync(ReplySendMessage message, string? responseId, ReplyStatus status,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var previouslyApplied = 0;
        await store.UpdateAsync(message.AppId, message.ReviewId, reply =>
        {
            previouslyApplied = reply.AppliedVersion;
            reply.AppliedVersion = Math.Max(reply.AppliedVersion, message.Version);
            reply.ResponseId = responseId;
            reply.SentAt = now;
            ReleaseClaim(reply, message);
            if (reply.Version == message.Version)
            {
                reply.Status = status.ToString();
                reply.PublishedAt = status == ReplyStatus.Published ? now : null;
                reply.LastError = null;
            }
            return true;
        }, cancellationToken);

        await store.SetOutcomeAsync(message.AppId, message.ReviewId, message.Version,
            Enum.Parse<ReplyOutcome>(status.ToString()), null, cancellationToken);
        if (previouslyApplied is > 0 && previouslyApplied != message.Version)
        {
            await store.SetOutcomeAsync(message.AppId, message.ReviewId, previouslyApplied, ReplyOutcome.Replaced,
                $"Version {message.Version} {(status == ReplyStatus.Deleted ? "deleted" : "overwrote")} it in App " +
                    $"Store Connect.",
                cancellationToken, ReplyOutcome.PendingPublish, ReplyOutcome.Published);
        }
        logger.LogInformation(
            "Reply version {Version} of review {ReviewId} (app {AppId}) applied in App Store Connect: {Status}",
            message.Version, message.ReviewId, message.AppId, status);
    }

    private async Task RetryOrPoisonAsync(ReplySendMessage message, string error, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (QueueRetry.NextDelay(message.Attempt, settings.MaxSendAttempts, settings.RetryBaseDelay,
            settings.RetryMaxDelay) is not { } delay)
        {
            // The poison copy keeps its context (ids, version, last error) and starts its attempts again, so an
            // operator's replay after the outage gets the full retry budget instead of being poisoned by its first
            // transient error.
            await queue.SendAsync(PoisonQueues.NameFor(ReplyQueues.ReplySends),
                message with { Attempt = 1, LastError = error, Deferrals = 0 }, cancellationToken: cancellationToken);
            logger.LogError("Reply version {Version} of review {ReviewId} (app {AppId}) moved to the poison queue " +
                "after {Attempts} attempts: {Error}",
                message.Version, message.ReviewId, message.AppId, message.Attempt, error);
            await FailAsync(message, ReplyFailure.Unavailable,
                $"App Store Connect kept failing after {message.Attempt} attempts; ReviewHub operators were alerted. " +
                    $"Last error: {error}", cancellationToken);
            return;
        }

        await RequeueAsync(message with { Attempt = message.Attempt + 1, LastError = error }, delay, cancellationToken);
        logger.LogWarning("Reply version {Version} of review {ReviewId} (app {AppId}) failed attempt {Attempt}, " +
            "retrying in {Delay}: {Error}",
            message.Version, message.ReviewId, message.AppId, message.Attempt, delay, error);
    }

    /// <summary>Shows the reply queued again (when and why) and sends <paramref name="next"/> after a delay.</summary>
    private async Task RequeueAsync(ReplySendMessage next, TimeSpan delay, CancellationToken cancellationToken)
    {
        var nextAttemptAt = clock.GetUtcNow() + delay;
        await store.UpdateAsync(next.AppId, next.ReviewId, reply =>
        {
            ReleaseClaim(reply, next);
            if (reply.Version == next.Version)
            {
                reply.Status = nameof(ReplyStatus.Queued);
                reply.NextAttemptAt = nextAttemptAt;
                reply.LastError = next.LastError;
            }
            return true;
        }, cancellationToken);
        await queue.SendAsync(ReplyQueues.ReplySends, next, delay, cancellationToken);
    }

    /// <summary>
    /// Shows the reply held with <paramref name="cause"/>: nothing went to App Store Connect (or it refused the key).
    /// The index entry the hand-off wrote stays, so it is found again: the connection's recovery releases it at once
    /// (<see cref="HeldReplyRelease"/>), the tracker within <see cref="ReplyOptions.StaleQueuedAfter"/> otherwise.
    /// </summary>
    private async Task HoldAsync(ReplySendMessage message, string cause, CancellationToken cancellationToken)
    {
        await store.UpdateAsync(message.AppId, message.ReviewId, reply =>
        {
            ReleaseClaim(reply, message);
            if (reply.Version == message.Version)
            {
                reply.Status = nameof(ReplyStatus.Paused);
                reply.Attempts = message.Attempt; // the release sends this attempt
                reply.LastError = cause;
                reply.NextAttemptAt = null;
            }
            return true;
        }, cancellationToken);
        logger.LogInformation(
            "Reply version {Version} of review {ReviewId} (app {AppId}) waits: its connection is degraded",
            message.Version, message.ReviewId, message.AppId);
    }

    private async Task FailAsync(ReplySendMessage message, ReplyFailure code, string reason,
        CancellationToken cancellationToken)
    {
        await store.UpdateAsync(message.AppId, message.ReviewId, reply =>
        {
            ReleaseClaim(reply, message);
            if (reply.Version == message.Version)
            {
                reply.Status = nameof(ReplyStatus.Failed);
                reply.FailureCode = code.ToString();
                reply.FailureReason = reason;
                reply.NextAttemptAt = null;
            }
            return true;
        }, cancellationToken);
        await store.SetOutcomeAsync(message.AppId, message.ReviewId, message.Version, ReplyOutcome.Failed, reason,
            cancellationToken);
        logger.LogWarning("Reply version {Version} of review {ReviewId} (app {AppId}) failed: {FailureCode}",
            message.Version, message.ReviewId, message.AppId, code);
    }

    private static void ReleaseClaim(ReplyEntity reply, ReplySendMessage message)
    {
        if (reply.ClaimedVersion == message.Version)
        {
            reply.ClaimedVersion = null;
            reply.ClaimedAt = null;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
