using ReviewHub.Apps;
using ReviewHub.GooglePlay;
using ReviewHub.Reviews;

namespace ReviewHub.Replies;

/// <summary>What applying a reply on Google Play came to, for <see cref="ReplySender"/> to record.</summary>
internal abstract record PlayReplyResult
{
    /// <summary>Play shows the reply (read back after <c>reviews.reply</c>): published.</summary>
    public sealed record Published : PlayReplyResult;

    /// <summary>A passing failure (429, 5xx, no answer): retried through the queue, after <paramref name="RetryAfter"/>
    /// when Google said so.</summary>
    public sealed record Transient(string Error, TimeSpan? RetryAfter) : PlayReplyResult;

    /// <summary>Retrying cannot help (no grant, key refused, review gone, reply refused).</summary>
    public sealed record Failed(ReplyFailure Code, string Reason) : PlayReplyResult;
}

/// <summary>
/// Applies a reply to a Google Play review with the account's own service account: <c>reviews.reply</c> sets (or
/// replaces) the review's one reply, then the review is read back, since Play publishes at once and its state is what
/// the review shows. Safe to repeat: replying again with the same text changes nothing.
/// </summary>
internal sealed class PlayReplyPublisher(GooglePlayClient play, GooglePlayServiceAccounts serviceAccounts)
{
    public const string NoServiceAccount =
        "Replies to Google Play reviews are sent with the account's Google service account, which is not provisioned "
        + "yet (docs/google-play.md).";

    public static bool IsPlay(ReviewEntity review) => review.Source == ReviewSources.GooglePlay;

    public async Task<PlayReplyResult> PublishAsync(
        AppEntity app, string reviewId, string body, CancellationToken cancellationToken)
    {
        var key = await serviceAccounts.FindAsync(app.AccountId, cancellationToken);
        if (key is null)
        {
            return new PlayReplyResult.Failed(ReplyFailure.CredentialMissing, NoServiceAccount);
        }
        try
        {
            var applied = await play.ReplyAsync(key, app.StoreAppId, reviewId, body, cancellationToken);
            var review = await play.GetReviewAsync(key, app.StoreAppId, reviewId, null, cancellationToken);
            return review.Reply?.Text == applied.ReplyText
                ? new PlayReplyResult.Published()
                : new PlayReplyResult.Transient(
                    "Google Play accepted the reply but the review read back does not show it yet.", null);
        }
        catch (GooglePlayException ex) when (ex.IsTransient || ex.Failure == GooglePlayFailure.MalformedResponse)
        {
            return new PlayReplyResult.Transient(ex.Message, ex.RetryAfter);
        }
        catch (GooglePlayException ex)
        {
            return Explain(app, key, ex);
        }
    }

    private static PlayReplyResult.Failed Explain(
        AppEntity app, GooglePlayServiceAccountKey key, GooglePlayException ex) =>
        ex.Failure switch
        {
            GooglePlayFailure.PermissionDenied or GooglePlayFailure.AppNotFound => new(ReplyFailure.RoleMissing,
                $"Google Play refused: {key.ClientEmail} is not granted \"Reply to reviews\" for {app.StoreAppId}. "
                + "Grant it in Play Console (Users and permissions)."),
            GooglePlayFailure.NotAuthorized => new(ReplyFailure.CredentialRejected,
                $"Google refused the service account key of {key.ClientEmail}; ReviewHub operators must replace it."),
            GooglePlayFailure.NotFound => new(ReplyFailure.ReviewNotFound,
                "Google Play no longer has this review (the user or Google removed it)."),
            _ => new(ReplyFailure.Rejected, $"Google Play rejected the reply. {ex.Message}"),
        };
}
