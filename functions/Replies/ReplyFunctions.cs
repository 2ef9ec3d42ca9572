using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>The SPA's reply endpoints: write or edit, delete, read the state, read the audit trail.</summary>
public sealed class ReplyFunctions(AppStore apps, IntegrationStore integrations, ReplyStore replies, IMessageQueue queue)
{
    private const string Route = "accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply";

    /// <summary>Problem types the SPA can branch on.</summary>
    public const string IntegrationNotActiveType = "https://reviewhub.app/problems/integration-not-active";
    public const string IntegrationCannotReplyType = "https://reviewhub.app/problems/integration-cannot-reply";
    public const string ReviewNotInAppStoreConnectType =
        "https://reviewhub.app/problems/review-not-in-app-store-connect";

    [Function(nameof(PutReply))]
    public async Task<IActionResult> PutReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Route)] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var (review, problem) = await FindReviewAsync(req, accountId, appId, reviewId, cancellationToken);
        if (review is null)
        {
            return problem!;
        }
        var body = await JsonRequest.ReadAsync<PutReplyRequest>(req, cancellationToken);
        if (!body.IsValid)
        {
            return body.Problem!;
        }
        if (await IntegrationProblemAsync(accountId, appId, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        if (review.AppStoreConnectId is null)
        {
            return Problems.Conflict(
                "This review was read from the public App Store feed and the App Store Connect import has not "
                + "matched it with its copy there, so App Store Connect cannot be told which review to answer. Reply "
                + "once the hourly import has matched it; if it stays unmatched, the list shows App Store Connect's "
                + "copy apart (source asc).",
                ReviewNotInAppStoreConnectType);
        }
        var result = await replies.RequestAsync(review, ReplyAction.Publish, body.Value!.Body!.Trim(), Caller.From(req).UserId, cancellationToken);
        return await AcceptAsync(req, result!, cancellationToken);
    }

    [Function(nameof(DeleteReply))]
    public async Task<IActionResult> DeleteReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route)] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var (review, problem) = await FindReviewAsync(req, accountId, appId, reviewId, cancellationToken);
        if (review is null)
        {
            return problem!;
        }
        var existing = await replies.GetAsync(appId, reviewId, cancellationToken);
        // Only a response that exists in App Store Connect needs the integration; a reply that never got there is simply dropped.
        if ((existing?.ResponseId ?? review.ResponseId) is not null
            && await IntegrationProblemAsync(accountId, appId, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        var result = await replies.RequestAsync(review, ReplyAction.Delete, null, Caller.From(req).UserId, cancellationToken);
        return result is null ? Problems.NotFound("This review has no reply.") : await AcceptAsync(req, result, cancellationToken);
    }

    [Function(nameof(GetReply))]
    public async Task<IActionResult> GetReply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var (review, problem) = await FindReviewAsync(req, accountId, appId, reviewId, cancellationToken);
        if (review is null)
        {
            return problem!;
        }
        var reply = await replies.GetAsync(appId, reviewId, cancellationToken);
        return reply is null ? Problems.NotFound("This review has no reply.") : new OkObjectResult(ReplyResponse.From(reply));
    }

    [Function(nameof(GetReplyHistory))]
    public async Task<IActionResult> GetReplyHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/history")] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var (review, problem) = await FindReviewAsync(req, accountId, appId, reviewId, cancellationToken);
        if (review is null)
        {
            return problem!;
        }
        var versions = await replies.HistoryAsync(appId, reviewId, cancellationToken);
        return new OkObjectResult(new { items = versions.Select(ReplyVersionResponse.From) });
    }

    private async Task<(ReviewEntity? Review, IActionResult? Problem)> FindReviewAsync(
        HttpRequest req, string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null)
        {
            return (null, Problems.NotFound("No such app."));
        }
        var review = await replies.FindReviewAsync(accountId, appId, reviewId, cancellationToken);
        return review is null ? (null, Problems.NotFound("No such review.")) : (review, null);
    }

    private async Task<IActionResult?> IntegrationProblemAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var integration = await integrations.GetAsync(accountId, appId, cancellationToken);
        if (integration is null || !integration.IsActive)
        {
            var status = integration?.Status ?? "none";
            return Problems.Conflict(
                $"Replies are sent through the app's App Store Connect integration, which is not active (status: {status}). Set it up or finish its setup first.",
                IntegrationNotActiveType);
        }
        return integration.AllowsReplies
            ? null
            : Problems.Conflict(
                $"The app's integration kind ({integration.ActiveKind}) cannot reply to reviews: only ReplyToReviews and FullAccess integrations can.",
                IntegrationCannotReplyType);
    }

    /// <summary>202 while App Store Connect still has to act, 200 when the request is already complete (nothing to send).</summary>
    private async Task<IActionResult> AcceptAsync(HttpRequest req, ReplyRequestResult result, CancellationToken cancellationToken)
    {
        var reply = result.Reply;
        if (result.NeedsSend)
        {
            await replies.TrackQueuedAsync(reply, cancellationToken);
            await queue.SendAsync(QueueNames.ReplySends, new ReplySendMessage(reply.AccountId, reply.AppId, reply.ReviewId, reply.Version),
                cancellationToken: cancellationToken);
        }
        return reply.StatusValue is ReplyStatus.Queued or ReplyStatus.Sending
            ? new AcceptedResult(req.Path.Value, ReplyResponse.From(reply))
            : new OkObjectResult(ReplyResponse.From(reply));
    }
}
