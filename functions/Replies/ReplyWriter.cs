using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>Why a reply cannot be sent now: a 409 for the SPA, an inline error in Slack, a draft for a rule.</summary>
public sealed record ReplyRefusal(string Type, string Detail);

/// <summary>
/// The one reply flow every writer goes through — the SPA, approved drafts, rules and Slack: the same checks before a
/// version is written, and the same hand-off to the sender after.
/// </summary>
public sealed class ReplyWriter(IntegrationStore integrations, ReplyStore replies, IMessageQueue queue)
{
    /// <summary>
    /// Why a reply to <paramref name="review"/> cannot be sent to App Store Connect now; null when it can.
    /// </summary>
    public async Task<ReplyRefusal?> PublishRefusalAsync(ReviewEntity review, CancellationToken cancellationToken)
    {
        if (await IntegrationRefusalAsync(review.AccountId, review.AppId, cancellationToken) is { } refusal)
        {
            return refusal;
        }
        return review.AppStoreConnectId is null
            ? new ReplyRefusal(ReplyFunctions.ReviewNotInAppStoreConnectType,
                "This review was read from the public App Store feed and the App Store Connect import has not "
                + "matched it with its copy there, so App Store Connect cannot be told which review to answer. Reply "
                + "once the hourly import has matched it; if it stays unmatched, the list shows App Store Connect's "
                + "copy apart (source asc).")
            : null;
    }

    /// <summary>Why the app's integration cannot carry replies now; null when it can.</summary>
    public async Task<ReplyRefusal?> IntegrationRefusalAsync(
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var integration = await integrations.GetAsync(accountId, appId, cancellationToken);
        if (integration is null || !integration.IsActive)
        {
            var status = integration?.Status ?? "none";
            return new ReplyRefusal(ReplyFunctions.IntegrationNotActiveType,
                "Replies are sent through the app's App Store Connect integration, which is not active (status: "
                + $"{status}). Set it up or finish its setup first.");
        }
        return integration.AllowsReplies
            ? null
            : new ReplyRefusal(ReplyFunctions.IntegrationCannotReplyType,
                $"The app's integration kind ({integration.ActiveKind}) cannot reply to reviews: only ReplyToReviews "
                + "and FullAccess integrations can.");
    }

    /// <summary>Hands a written version to the sender when it needs one (indexed first, so a lost message is
    /// noticed).</summary>
    public async Task HandOffAsync(ReplyRequestResult result, CancellationToken cancellationToken)
    {
        if (!result.NeedsSend)
        {
            return;
        }
        var reply = result.Reply;
        await replies.TrackQueuedAsync(reply, cancellationToken);
        await queue.SendAsync(QueueNames.ReplySends,
            new ReplySendMessage(reply.AccountId, reply.AppId, reply.ReviewId, reply.Version),
            cancellationToken: cancellationToken);
    }
}
