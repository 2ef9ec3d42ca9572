using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Security;

namespace ReviewHub.Reviews;

/// <summary>
/// The SPA's Reviews page: an app's reviews newest first with filters and a continuation token, one review with its
/// reply, and how the app's reviews are being fetched.
/// </summary>
internal sealed class ReviewFunctions(
    AppStore apps, ReviewStore store, ReviewQueries queries, FetchScheduler scheduler, IOptions<ReviewsOptions> options)
{
    [Function(nameof(ListReviews))]
    public async Task<IActionResult> ListReviews(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/apps/{appId}/reviews")]
            HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        if (!access.TryGet(out var app, out var denied))
        {
            return denied;
        }
        var errors = new ValidationErrors();
        var store = StoreFilter(req.Query, errors);
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

    /// <summary>The optional store filter (empty: every store); an unknown store is a validation error.</summary>
    private static string StoreFilter(IQueryCollection query, ValidationErrors errors)
    {
        var store = query["store"].ToString();
        if (store.Length > 0 && !Stores.All.Contains(store))
        {
            errors.Add("store", $"must be one of: {string.Join(", ", Stores.All)}.");
        }
        return store;
    }

    [Function(nameof(GetReview))]
    public async Task<IActionResult> GetReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route =
            "accounts/{accountId}/apps/{appId}/reviews/{reviewId}")] HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        return ReviewIds.IsValid(reviewId) && await store.FindAsync(appId, reviewId, cancellationToken) is { } review
            ? new OkObjectResult(ReviewResponse.From(review))
            : Problems.NotFound("No such review.");
    }

    [Function(nameof(GetReviewFetchStatus))]
    public async Task<IActionResult> GetReviewFetchStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/apps/{appId}/review-fetch")]
        HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(Caller.From(req), accountId, appId, AccountPermission.Read,
            cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        // A schedule not written yet (registration still in flight) reads as the first fetch, due now.
        var schedule = await scheduler.GetAsync(accountId, appId, cancellationToken);
        return new OkObjectResult(schedule is null
            ? new ReviewFetchStatusResponse(ReviewSources.Feed, null, null, null, false, null)
            : ReviewFetchStatusResponse.From(schedule, await scheduler.NextDueAtAsync(schedule, cancellationToken)));
    }
}
