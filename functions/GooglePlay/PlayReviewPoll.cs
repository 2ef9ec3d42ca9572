using ReviewHub.Paging;

namespace ReviewHub.GooglePlay;

/// <summary>
/// Where a Play app's polling stands: the newest user-comment change read so far (the watermark) and when a poll last
/// completed. Kept by the caller (the app's fetch schedule, through the reviews feature's Google Play source).
/// </summary>
internal sealed record PlayPollState(DateTimeOffset? Watermark, DateTimeOffset? LastCompletedAt);

/// <summary>
/// Reviews Play may have dropped unseen: the poll before this one completed at <see cref="From"/>, and the list only
/// reaches back to <see cref="To"/> (7 days before this poll). Reviews created or edited in between, and not changed
/// since, cannot be read through the API.
/// </summary>
internal sealed record PlayGap(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// One poll's result: reviews created or changed since the watermark (newest change first; an edit comes back with
/// the same id and a newer <see cref="PlayReview.LastModified"/>), the state to keep, the gap when the previous poll
/// was too long ago, and the requests spent.
/// </summary>
internal sealed record PlayPollResult(
    IReadOnlyList<PlayReview> Changed, PlayPollState State, PlayGap? Gap, int Requests);

/// <summary>
/// Reads what changed in a Play app since the last poll. <c>reviews.list</c> returns only reviews created or modified
/// in the last 7 days, newest change first, so a poll reads pages until it reaches a review at or before the
/// watermark, never ending early on a short page (Play serves them), and at most <see cref="MaxPages"/> pages. The
/// watermark moves only when the poll completed; a failure leaves the state as it was, so the next poll reads the same
/// reviews again (saving them is idempotent). Polled hourly, consecutive polls overlap by days; a poll after more than
/// the window reports the <see cref="PlayGap"/> it cannot recover.
/// </summary>
internal sealed class PlayReviewPoll(GooglePlayClient client, TimeProvider clock)
{
    /// <summary>How far back <c>reviews.list</c> reaches (Google's guide: about 7 days).</summary>
    public static readonly TimeSpan ListWindow = TimeSpan.FromDays(7);

    /// <summary>
    /// Pages one poll reads at most: 100 pages of 100 reviews is far more than an app's week of written reviews, and
    /// half the per-app quota of 200 reads an hour, so replies' read-backs and the next poll still fit.
    /// </summary>
    public const int MaxPages = 100;

    public async Task<PlayPollResult> PollAsync(
        GooglePlayServiceAccountKey key, string packageName, string? translationLanguage, PlayPollState state,
        CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        var trail = new CursorTrail($"The Google Play review poll of {packageName}", MaxPages);
        var changed = new List<PlayReview>();
        string? token = null;
        do
        {
            trail.Follow(token ?? string.Empty);
            var page = await client.ListReviewsAsync(key, packageName, token, translationLanguage, cancellationToken);
            var fresh = page.Reviews.Where(r => state.Watermark is not { } mark || r.LastModified > mark).ToList();
            changed.AddRange(fresh);
            // Newest change first: a page with a review at or before the watermark reaches what was read before.
            token = fresh.Count < page.Reviews.Count ? null : page.NextPageToken;
        }
        while (token is not null);

        var oldestVisible = startedAt - ListWindow;
        var gap = state.LastCompletedAt is { } last && last < oldestVisible ? new PlayGap(last, oldestVisible) : null;
        var newest = changed.Count == 0 ? state.Watermark : changed.Max(r => r.LastModified);
        return new PlayPollResult(changed, new PlayPollState(Later(state.Watermark, newest), startedAt), gap,
            trail.Pages);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
