using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Reviews;
using ReviewHub.Security;

namespace ReviewHub.Replies;

/// <summary>The SPA's reply endpoints: write or edit, delete, read the state, read the audit trail.</summary>
internal sealed class ReplyFunctions(AppStore apps, ReplyWriter writer, ReplyStore replies,
    ReviewReader reviewReader)
{
    private const string Route = "accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply";

    /// <summary>Problem types the SPA can branch on.</summary>
    public const string IntegrationNotActiveType = "https://reviewhub.app/problems/integration-not-active";
    public const string IntegrationCannotReplyType = "https://reviewhub.app/problems/integration-cannot-reply";
    public const string ReviewNotInAppStoreConnectType =
        "https://reviewhub.app/problems/review-not-in-app-store-connect";
    public const string PlayReplyCannotBeDeletedType =
        "https://reviewhub.app/problems/play-reply-cannot-be-deleted";

    [Function(nameof(PutReply))]
    public async Task<IActionResult> PutReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Route)] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var found = await FindReviewAsync(req, accountId, appId, reviewId, AccountPermission.WriteReplies,
            cancellationToken);
        if (!found.TryGet(out var review, out var missing))
        {
            return missing;
        }
        var read = await JsonRequest.ReadAsync<PutReplyRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        if (ReplyWriter.LengthErrors(review, body.Body!.Trim()) is { IsEmpty: false } tooLong)
        {
            return Problems.Validation(tooLong);
        }
        if (await writer.PublishRefusalAsync(review, cancellationToken) is { } refusal)
        {
            return Problems.Conflict(refusal.Detail, refusal.Type);
        }
        var result = await replies.RequestAsync(review, ReplyAction.Publish, body.Body!.Trim(),
            Caller.From(req).UserId, cancellationToken);
        return await AcceptAsync(req, result!, cancellationToken);
    }

    [Function(nameof(DeleteReply))]
    public async Task<IActionResult> DeleteReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route)] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var found = await FindReviewAsync(req, accountId, appId, reviewId, AccountPermission.WriteReplies,
            cancellationToken);
        if (!found.TryGet(out var review, out var missing))
        {
            return missing;
        }
        if (PlayReplyPublisher.IsPlay(review))
        {
            return Problems.Conflict(ReplyWriter.PlayCannotDelete.Detail, ReplyWriter.PlayCannotDelete.Type);
        }
        var existing = await replies.GetAsync(appId, review.ReviewId, cancellationToken);
        // Only a response that exists in App Store Connect needs the integration; a reply that never got there is
        // simply dropped.
        if ((existing?.ResponseId ?? review.ResponseId) is not null
            && await writer.IntegrationRefusalAsync(accountId, appId, cancellationToken) is { } refusal)
        {
            return Problems.Conflict(refusal.Detail, refusal.Type);
        }
        var result = await replies.RequestAsync(review, ReplyAction.Delete, null, Caller.From(req).UserId,
            cancellationToken);
        return result is null ? Problems.NotFound("This review has no reply.") : await AcceptAsync(req, result,
            cancellationToken);
    }

    [Function(nameof(GetReply))]
    public async Task<IActionResult> GetReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var found = await FindReviewAsync(req, accountId, appId, reviewId, AccountPermission.Read,
            cancellationToken);
        if (!found.TryGet(out var review, out var missing))
        {
            return missing;
        }
        var reply = await replies.GetAsync(appId, review.ReviewId, cancellationToken);
        return reply is null ? Problems.NotFound("This review has no reply.") : new OkObjectResult(ReplyResponse.From(
            reply));
    }

    [Function(nameof(GetReplyHistory))]
    public async Task<IActionResult> GetReplyHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/history")] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var found = await FindReviewAsync(req, accountId, appId, reviewId, AccountPermission.Read,
            cancellationToken);
        if (!found.TryGet(out var review, out var missing))
        {
            return missing;
        }
        var versions = await replies.HistoryAsync(appId, review.ReviewId, cancellationToken);
        return new OkObjectResult(new { items = versions.Select(ReplyVersionResponse.From) });
    }

    private async Task<Checked<ReviewEntity>> FindReviewAsync(
        HttpRequest req, string accountId, string appId, string reviewId, AccountPermission permission,
        CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, permission, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return Checked.Failed<ReviewEntity>(denied);
        }
        var review = await reviewReader.FindForAccountAsync(accountId, appId, reviewId, cancellationToken);
        return review is null
            ? Checked.Failed<ReviewEntity>(Problems.NotFound("No such review."))
            : Checked.Passed<ReviewEntity>(review);
    }

    /// <summary>202 while App Store Connect still has to act, 200 when the request is already complete (nothing to
    /// send).</summary>
    private async Task<IActionResult> AcceptAsync(HttpRequest req, ReplyRequestResult result,
        CancellationToken cancellationToken)
    {
        await writer.HandOffAsync(result, cancellationToken);
        return Answer(req.Path.Value, result.Reply);
    }

    /// <summary>202 (with the reply's location) while the reply is queued, sending or held, else 200.</summary>
    public static IActionResult Answer(string? location, ReplyEntity reply) =>
        reply.StatusValue is ReplyStatus.Queued or ReplyStatus.Sending or ReplyStatus.Paused
            ? new AcceptedResult(location, ReplyResponse.From(reply))
            : new OkObjectResult(ReplyResponse.From(reply));
}
