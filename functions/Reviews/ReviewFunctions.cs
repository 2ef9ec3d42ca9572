using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Security;

namespace ReviewHub.Reviews;

/// <summary>
/// The SPA's Reviews page: an app's reviews newest first with filters and a continuation token, one review with its
/// reply, and how the app's reviews are being fetched.
/// </summary>
public sealed class ReviewFunctions(
    AppStore apps, ReviewStore store, ReviewQueries queries, FetchScheduler scheduler, IOptions<ReviewsOptions> options)
{
    [Function(nameof(ListReviews))]
    public async Task<IActionResult> ListReviews(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/apps/{appId}/reviews")]
            HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is not { } app)
        {
            return Problems.NotFound("No such app.");
        }
        var errors = new ValidationErrors();
        var store = req.Query["store"].ToString();
        if (store.Length > 0 && !Stores.All.Contains(store))
        {
            errors.Add("store", $"must be one of: {string.Join(", ", Stores.All)}.");
        }
        var filter = ReviewListFilter.Parse(req.Query, options.Value.DefaultListLimit, errors);
        if (filter is null || !errors.IsEmpty)
        {
            return Problems.Validation(errors);
        }
        if (store.Length > 0 && store != app.Store)
        {
            return new OkObjectResult(new ReviewListResponse([], null)); // an app's reviews all come from its store
        }
        var page = await queries.ListAsync(appId, filter, cancellationToken);
        return new OkObjectResult(new ReviewListResponse(page.Items.Select(ReviewResponse.From).ToList(),
            page.ContinuationToken));
    }

    [Function(nameof(GetReview))]
    public async Task<IActionResult> GetReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route =
            "accounts/{accountId}/apps/{appId}/reviews/{reviewId}")] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null
            || !ReviewIds.IsValid(reviewId)
            || await store.GetAsync(appId, reviewId, cancellationToken) is not { } review)
        {
            return Problems.NotFound("No such review.");
        }
        return new OkObjectResult(ReviewResponse.From(review));
    }

    [Function(nameof(GetReviewFetchStatus))]
    public async Task<IActionResult> GetReviewFetchStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/apps/{appId}/review-fetch")]
        HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        // A schedule not written yet (registration still in flight) reads as the first fetch, due now.
        var schedule = await scheduler.GetAsync(accountId, appId, cancellationToken);
        return new OkObjectResult(schedule is null
            ? new ReviewFetchStatusResponse(ReviewSources.Feed, null, null, null, false, null)
            : ReviewFetchStatusResponse.From(schedule, await scheduler.NextDueAtAsync(schedule, cancellationToken)));
    }
}

/// <summary>
/// How the app's reviews are fetched: the source in use, the last fetch that completed, the next one, and the problem
/// that stopped fetches since (a looping cursor, a refused key, an outage past its retries), cleared by the next
/// success. <see cref="UnrecoverableGap"/> (Google Play): the last period whose reviews left the list's 7-day window
/// unread because the app was not polled for longer than that.
/// </summary>
public sealed record ReviewFetchStatusResponse(
    string Source, DateTimeOffset? LastFetchedAt, DateTimeOffset? NextDueAt, string? LastError, bool BackfillPending,
    DateTimeOffset? BackfillCompletedAt, ReviewGap? UnrecoverableGap = null)
{
    public static ReviewFetchStatusResponse From(FetchScheduleEntity schedule, DateTimeOffset? nextDueAt) => new(
        schedule.Source, schedule.LastFetchedAt, nextDueAt, schedule.LastError, schedule.BackfillPending,
        schedule.BackfillCompletedAt,
        schedule is { PlayGapFrom: { } from, PlayGapTo: { } to } ? new ReviewGap(from, to) : null);
}

/// <summary>A period whose reviews could not be read.</summary>
public sealed record ReviewGap(DateTimeOffset From, DateTimeOffset To);

public sealed record ReviewListResponse(IReadOnlyList<ReviewResponse> Items, string? ContinuationToken);

/// <summary>The developer response the App Store shows (as App Store Connect last reported it).</summary>
public sealed record DeveloperResponse(string? Id, string? Body, string? State, DateTimeOffset? LastModified);

/// <summary>The reply written through ReviewHub (owned by the replies feature); status as its API spells it, e.g.
/// pendingPublish.</summary>
public sealed record ReviewReply(string? Status, string? Body, DateTimeOffset? UpdatedAt);

public sealed record ReviewResponse(
    string ReviewId, string AppId, int Rating, string? Title, string? Body, string? ReviewerNickname, string Territory,
    DateTimeOffset CreatedAt, string Source, string Store, bool Backfilled, bool Replied,
    DeveloperResponse? DeveloperResponse, ReviewReply? Reply, DateTimeOffset? EditedAt = null,
    bool ReplyOutdated = false)
{
    public static ReviewResponse From(ReviewEntity review) => new(
        review.ReviewId, review.AppId, review.Rating, review.Title, review.Body, review.ReviewerNickname,
            review.Territory,
        review.CreatedAt, review.Source, ReviewSources.StoreOf(review.Source), review.Backfilled,
        ReviewQueries.IsReplied(review),
        review.ResponseId is null && review.ResponseBody is null
            ? null
            : new DeveloperResponse(review.ResponseId, review.ResponseBody, review.ResponseState,
                review.ResponseLastModified),
        review.ReplyStatus is null && review.ReplyBody is null
            ? null
            // The table keeps the replies feature's enum names (PendingPublish); the API spells them like its reply
            // endpoints (pendingPublish).
            : new ReviewReply(
                review.ReplyStatus is null ? null : JsonNamingPolicy.CamelCase.ConvertName(review.ReplyStatus),
                review.ReplyBody, review.ReplyUpdatedAt),
        review.EditedAt, review.ReplyOutdated);
}
