using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.AppStoreConnect;
using ReviewHub.GooglePlay;

namespace ReviewHub.Reviews;

/// <summary>
/// Google Play, for Android apps: <see cref="PlayReviewPoll"/> reads what was created or edited since the watermark
/// (the list shows only the last 7 days, so the hourly schedule overlaps by days; a poll after a longer outage records
/// the gap it cannot recover), with the account's own service account. Edits come back under the same id and update
/// the stored review (<see cref="ReviewStore"/>). The app's reads are counted against <c>Reviews__PlayReadsPerHour</c>
/// of Play's 200 per app and hour, like an App Store Connect key's budget. A connection that cannot be used (no
/// service account provisioned, the app not granted to it yet, its key refused) pauses the app: no retry, the reason
/// on the schedule, the next slot tries again.
/// </summary>
internal sealed class GooglePlayReviewSource(
    PlayReviewPoll poll, GooglePlayServiceAccounts serviceAccounts, PlayConnectionStore connections,
    ReviewPageLoop loop,
    IOptions<ReviewsOptions> options, TimeProvider clock, ILogger<GooglePlayReviewSource> logger) : IReviewSource
{
    public const string NoServiceAccount =
        "No Google service account is provisioned for this account yet, so Google Play cannot be read " +
        "(docs/google-play.md: operators provision it).";

    public string Name => ReviewSources.GooglePlay;

    public bool Reads(ReviewFetchTarget target) => target.App.Store == Stores.GooglePlay;

    public async Task<FetchOutcome> FetchAsync(ReviewFetchTarget target, CancellationToken cancellationToken)
    {
        // The gate: only an Active connection is read (verified, not degraded, not disconnected). Anything else
        // pauses the app with the connection's own next step; the next slot looks again.
        var connection = await connections.GetAsync(target.AccountId, cancellationToken);
        if (connection?.StatusValue != PlayConnectionStatus.Active)
        {
            return await loop.PauseAsync(target, Name, NotActive(connection), 0, cancellationToken);
        }
        var key = await serviceAccounts.FindAsync(target.AccountId, cancellationToken);
        if (key is null)
        {
            return await loop.PauseAsync(target, Name, NoServiceAccount, 0, cancellationToken);
        }
        var now = clock.GetUtcNow();
        var (hour, used) = PlayReadBudget.At(target.Schedule, now);
        if (used >= options.Value.PlayReadsPerHour)
        {
            return await loop.DeferAsync(target, Name, PlayReadBudget.HourEnds(hour) - now, 0, 0, cancellationToken);
        }
        var schedule = target.Schedule;
        PlayPollResult result;
        try
        {
            result = await poll.PollAsync(key, target.App.StoreAppId, target.App.TranslationLanguage,
                new PlayPollState(schedule.PlayWatermark, schedule.PlayPolledAt), cancellationToken);
        }
        catch (GooglePlayException ex) when (ex.Failure is GooglePlayFailure.PermissionDenied
            or GooglePlayFailure.AppNotFound or GooglePlayFailure.NotAuthorized or GooglePlayFailure.ApiNotEnabled)
        {
            return await loop.PauseAsync(target, Name, NotGranted(target.App, key, ex), 1, cancellationToken);
        }
        catch (GooglePlayException ex)
        {
            throw new ReviewFetchException(ex.Message,
                ex.IsTransient || ex.Failure == GooglePlayFailure.MalformedResponse, ex.RetryAfter, ex,
                budgetSpent: ex.Failure == GooglePlayFailure.RateLimited);
        }
        return await SaveAsync(target, result, now, used + result.Requests, cancellationToken);
    }

    /// <summary>Saves the poll; its reads (made from <paramref name="polledAt"/>) are added to the app's budget in the
    /// schedule's update, on top of reads the grant probe counted meanwhile (<paramref name="used"/>: the estimate
    /// the adaptive interval sees).</summary>
    private async Task<FetchOutcome> SaveAsync(ReviewFetchTarget target, PlayPollResult result,
        DateTimeOffset polledAt, int used, CancellationToken cancellationToken)
    {
        var watermark = target.Schedule.PlayWatermark;
        // The first poll reads up to a week of reviews: history, summarised by delivery, like a feed's first import.
        var rule = watermark is null ? NewReviewRule.FirstImport : NewReviewRule.Incremental(watermark);
        var announcer = loop.Announcer(target, backfill: false);
        var firstImport = loop.Announcer(target, backfill: true);
        foreach (var page in result.Changed.Select(ToFetched).Chunk(GooglePlayClient.MaxPageSize))
        {
            await loop.SaveAsync(target, Name, page, rule, announcer, firstImport, cancellationToken);
        }
        await announcer.FlushAsync(cancellationToken);
        await firstImport.FlushAsync(cancellationToken);
        if (result.Gap is { } gap)
        {
            logger.LogWarning(
                "Google Play reviews of {AppId} created or edited between {From} and {To} cannot be read: the app " +
                "was not polled for longer than the list's 7-day window", target.AppId, gap.From, gap.To);
        }
        var limit = options.Value.PlayReadsPerHour;
        await loop.CompleteAsync(target, Name, announcer.Announced,
            new RateLimit(limit, Math.Max(0, limit - used)), s =>
            {
                s.PlayWatermark = result.State.Watermark;
                s.PlayPolledAt = result.State.LastCompletedAt;
                PlayReadBudget.Spend(s, polledAt, result.Requests);
                if (result.Gap is { } gap)
                {
                    (s.PlayGapFrom, s.PlayGapTo) = (gap.From, gap.To);
                }
            }, cancellationToken);
        return new FetchOutcome(FetchOutcomeKind.Completed, Name, result.Requests,
            announcer.Announced + firstImport.Announced);
    }

    private static string NotActive(PlayConnectionEntity? connection) =>
        connection is null
            ? NoServiceAccount
            : $"The Google Play connection is {connection.Status}, not active: " +
                PlayConnectionActors.For(connection).Step;

    private static string NotGranted(AppEntity app, GooglePlayServiceAccountKey key, GooglePlayException ex) =>
        ex.Failure switch
        {
            GooglePlayFailure.NotAuthorized =>
                $"Google refused the service account key of {key.ClientEmail}: an operator replaces it. ({ex.Message})",
            GooglePlayFailure.ApiNotEnabled =>
                $"The Google Play Developer API is not enabled for ReviewHub's Google Cloud project. ({ex.Message})",
            _ => $"Google Play has not granted {key.ClientEmail} access to {app.StoreAppId} (yet): invite it in Play " +
                "Console with \"View app information\" and \"Reply to reviews\"; a grant can take hours to take " +
                $"effect. ({ex.Message})",
        };

    /// <summary>
    /// Play's review as ingestion stores it: no territory (one list for all countries), the last modification as the
    /// date (Play reports no creation date), the developer reply as the public response.
    /// </summary>
    private static FetchedReview ToFetched(PlayReview review) => new(
        review.ReviewId, review.StarRating, review.Title, review.Body, review.AuthorName, string.Empty,
        review.LastModified,
        review.Reply is { } reply
            ? new FetchedResponse(review.ReviewId, reply.Text, PlayReplyState, reply.LastModified)
            : null,
        review.LastModified);

    /// <summary>Play publishes replies at once: a reply read back is live.</summary>
    public const string PlayReplyState = "PUBLISHED";
}
