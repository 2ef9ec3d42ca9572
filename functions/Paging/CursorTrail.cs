namespace ReviewHub.Paging;

/// <summary>
/// The cursors one paging loop has followed (continuation tokens, <c>links.next</c> URLs). Every loop over pages
/// records the cursor it is about to follow here: a cursor seen before is a cycle, which the loop must not follow
/// (paging is deterministic, so a cycle repeats forever), and <paramref name="maxPages"/> caps loops that have a
/// natural size.
/// </summary>
internal sealed class CursorTrail(string loop, int maxPages = int.MaxValue)
{
    private readonly HashSet<string> followed = new(StringComparer.Ordinal);

    /// <summary>Pages requested so far through <see cref="Follow"/>.</summary>
    public int Pages => followed.Count;

    /// <summary>
    /// Records <paramref name="cursor"/> as followed; throws <see cref="PagingLoopException"/> when it was followed
    /// before.
    /// </summary>
    public void Follow(string cursor)
    {
        if (followed.Count >= maxPages)
        {
            throw new PagingLoopException($"{loop} stopped after {maxPages} pages, its limit.");
        }
        if (!followed.Add(cursor))
        {
            throw new PagingLoopException(
                $"{loop} was sent back to a page it had already read " +
                $"(after {followed.Count} pages, cursor '{Shorten(cursor)}').");
        }
    }

    private static string Shorten(string cursor) => cursor.Length <= 300 ? cursor : cursor[..300] + "…";
}
