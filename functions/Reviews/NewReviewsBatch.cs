namespace ReviewHub.Reviews;

/// <summary>
/// Queue message (queue <c>new-reviews</c>): reviews of one app that were stored for the first time by one fetch.
/// Ingestion sends it only after the reviews are saved; delivery reads the rows by id. It carries ids, not review text,
/// to stay far below the 64 KB queue message limit (at most <see cref="MaxReviewIds"/> ids; larger fetches send
/// several).
/// </summary>
/// <param name="BatchId">Unique per batch and stable across retries of the same fetch, so a replayed batch is
/// recognisable.</param>
/// <param name="Backfill">True for an integration's first full-history import: delivery summarises instead of notifying
/// each review.</param>
internal sealed record NewReviewsBatch(string AccountId, string AppId, string BatchId, bool Backfill,
    IReadOnlyList<string> ReviewIds)
{
    public const int MaxReviewIds = 500;
}
