namespace ReviewHub.Reviews;

/// <summary>
/// Told when ingestion sees a stored review's reviewer edit it (new rating, title or text from the source that stored
/// it), after the row is saved. The replies feature flags a reply written before the edit as outdated.
/// </summary>
internal interface IReviewEditObserver
{
    Task ReviewEditedAsync(ReviewEntity review, DateTimeOffset editedAt, CancellationToken cancellationToken);
}
