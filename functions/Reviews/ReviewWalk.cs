using ReviewHub.Paging;

namespace ReviewHub.Reviews;

/// <summary>
/// The bound of one newest-first walk over an app's review pages (App Store Connect or the public feed). A source that
/// pages correctly gives every page a review older than all reviews before it. A source that sends the walk back to an
/// earlier page (or repeats one), under the same cursor or a fresh-looking one, breaks that: its pages bring nothing
/// older.
/// <list type="bullet">
/// <item>Each cursor is followed once (<see cref="CursorTrail"/>): an exact repeat stops before the request is
/// spent.</item>
/// <item><see cref="MaxPagesWithoutProgress"/> pages in a row without an older review stop it as a loop. One such page
/// can be genuine (a page's worth of reviews arriving while paging shifts offset cursors), several in a row
/// cannot.</item>
/// </list>
/// The progress (oldest review read, pages in a row without progress) can be carried across runs: a backfill that
/// pauses and resumes from a saved cursor is the same walk.
/// </summary>
internal sealed class ReviewWalk(string what, DateTimeOffset? oldest = null, int pagesWithoutProgress = 0)
{
    public const int MaxPagesWithoutProgress = 3;

    private readonly CursorTrail trail = new(what);

    /// <summary>createdDate of the oldest review the walk has read.</summary>
    public DateTimeOffset? Oldest { get; private set; } = oldest;

    /// <summary>Pages in a row, up to now, that brought no review older than <see cref="Oldest"/>.</summary>
    public int PagesWithoutProgress { get; private set; } = pagesWithoutProgress;

    /// <summary>
    /// Starts the walk again from the newest page: progress is forgotten, the cursors followed are not.
    /// </summary>
    public void Restart()
    {
        Oldest = null;
        PagesWithoutProgress = 0;
    }

    /// <summary>
    /// Records the cursor (URL) about to be requested; throws <see cref="PagingLoopException"/> for a repeat.
    /// </summary>
    public void Follow(string cursor) => trail.Follow(cursor);

    /// <summary>Records a page read; true when it reached further back than every page before it.</summary>
    public bool Advanced(IReadOnlyList<FetchedReview> page)
    {
        var pageOldest = page.Count == 0 ? (DateTimeOffset?)null : page.Min(r => r.CreatedAt);
        if (pageOldest is { } reached && (Oldest is null || reached < Oldest))
        {
            Oldest = reached;
            PagesWithoutProgress = 0;
            return true;
        }
        PagesWithoutProgress++;
        return false;
    }

    /// <summary>
    /// Records a page that has a next link to follow; throws <see cref="PagingLoopException"/> once
    /// <see cref="MaxPagesWithoutProgress"/> pages in a row brought nothing older.
    /// </summary>
    public void Read(IReadOnlyList<FetchedReview> page)
    {
        if (!Advanced(page) && PagesWithoutProgress >= MaxPagesWithoutProgress)
        {
            throw new PagingLoopException(
                $"{what} read {PagesWithoutProgress} pages in a row without reaching a review older than " +
                $"{Oldest:yyyy-MM-dd'T'HH:mm:ssK}: the next links lead back to pages already read.");
        }
    }
}
