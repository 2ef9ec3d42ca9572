using ReviewHub.GooglePlay;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>Why a reply cannot be sent now: a 409 for the SPA, an inline error in Slack, a draft for a rule.</summary>
internal sealed record ReplyRefusal(string Type, string Detail);

/// <summary>
/// The one reply flow every writer goes through — the SPA, approved drafts, rules and Slack: the same checks before a
/// version is written, and the same hand-off to the sender after.
/// </summary>
internal sealed class ReplyWriter(
    AppConnections connections, PlayConnectionStore playConnections, ReplyStore replies, IMessageQueue queue)
{
    /// <summary>Google Play keeps a reply for ever: its API has no delete.</summary>
    public static readonly ReplyRefusal PlayCannotDelete = new(ReplyFunctions.PlayReplyCannotBeDeletedType,
        "Google Play's API cannot delete a reply: it keeps one reply per review. Edit it instead (send a new text), or "
        + "delete it in Play Console.");

    /// <summary>The longest reply the review's store accepts (Google Play: 350, App Store: 5,970).</summary>
    public static int MaxLength(ReviewEntity review) =>
        PlayReplyPublisher.IsPlay(review) ? GooglePlayOptions.MaxReplyLength : ReplyOptions.MaxBodyLength;

    /// <summary>
    /// A reply's length as the stores count it: Unicode code points (Google Play's limit is "approximately 350
    /// characters"; counting code points never sends one it may reject for length).
    /// </summary>
    public static int LengthOf(string text) => text.EnumerateRunes().Count();

    /// <summary>The body's problems for <paramref name="review"/>'s store; empty when it fits.</summary>
    public static ValidationErrors LengthErrors(ReviewEntity review, string body)
    {
        var errors = new ValidationErrors();
        var max = MaxLength(review);
        if (LengthOf(body) > max)
        {
            errors.Add("body", PlayReplyPublisher.IsPlay(review)
                ? $"must be at most {max} characters for a Google Play review (this one has {LengthOf(body)})."
                : $"must be at most {max} characters.");
        }
        return errors;
    }

    /// <summary>
    /// Why a reply to <paramref name="review"/> cannot be sent to its store now; null when it can.
    /// </summary>
    public async Task<ReplyRefusal?> PublishRefusalAsync(ReviewEntity review, CancellationToken cancellationToken)
    {
        if (PlayReplyPublisher.IsPlay(review))
        {
            return !await playConnections.IsActiveAsync(review.AccountId, cancellationToken)
                ? new ReplyRefusal(ReplyFunctions.IntegrationNotActiveType, PlayConnectionStore.RepliesNeedActive)
                : null;
        }
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
        var connection = await connections.GetAsync(accountId, appId, cancellationToken);
        if (connection is null || !connection.IsActive)
        {
            var status = connection?.Status.ToString() ?? "none";
            return new ReplyRefusal(ReplyFunctions.IntegrationNotActiveType,
                "Replies are sent through the app's App Store Connect integration, which is not active (status: "
                + $"{status}). Set it up or finish its setup first.");
        }
        return connection.AllowsReplies
            ? null
            : new ReplyRefusal(ReplyFunctions.IntegrationCannotReplyType,
                $"The app's integration kind ({connection.ActiveKind}) cannot reply to reviews: only ReplyToReviews "
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
        await queue.SendAsync(ReplyQueues.ReplySends,
            new ReplySendMessage(reply.AccountId, reply.AppId, reply.ReviewId, reply.Version),
            cancellationToken: cancellationToken);
    }
}
