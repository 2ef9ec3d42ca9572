using System.Text.Json;

namespace ReviewHub.Reviews;

/// <summary>
/// How the app's reviews are fetched: the source in use, the last fetch that completed, the next one, and the problem
/// that stopped fetches since (a looping cursor, a refused key, an outage past its retries), cleared by the next
/// success. <see cref="UnrecoverableGap"/> (Google Play): the last period whose reviews left the list's 7-day window
/// unread because the app was not polled for longer than that.
/// </summary>
internal sealed record ReviewFetchStatusResponse(
    string Source, DateTimeOffset? LastFetchedAt, DateTimeOffset? NextDueAt, string? LastError, bool BackfillPending,
    DateTimeOffset? BackfillCompletedAt, ReviewGap? UnrecoverableGap = null)
{
    public static ReviewFetchStatusResponse From(FetchScheduleEntity schedule, DateTimeOffset? nextDueAt) => new(
        schedule.Source, schedule.LastFetchedAt, nextDueAt, schedule.LastError, schedule.BackfillPending,
        schedule.BackfillCompletedAt,
        schedule is { PlayGapFrom: { } from, PlayGapTo: { } to } ? new ReviewGap(from, to) : null);
}

/// <summary>A period whose reviews could not be read.</summary>
internal sealed record ReviewGap(DateTimeOffset From, DateTimeOffset To);

internal sealed record ReviewListResponse(IReadOnlyList<ReviewResponse> Items, string? ContinuationToken);

/// <summary>The developer response the App Store shows (as App Store Connect last reported it).</summary>
internal sealed record DeveloperResponse(string? Id, string? Body, string? State, DateTimeOffset? LastModified);

/// <summary>The reply written through ReviewHub (owned by the replies feature); status as its API spells it, e.g.
/// pendingPublish.</summary>
internal sealed record ReviewReply(string? Status, string? Body, DateTimeOffset? UpdatedAt);

internal sealed record ReviewResponse(
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
