namespace ReviewHub.Apps;

/// <summary>
/// Queue message: purge everything that belongs to a removed app. A pass before
/// <see cref="AppRemovalFunctions.FinalPurgeAfter"/> sends itself again, delayed to then; the pass after it deletes the
/// app's row.
/// </summary>
internal sealed record AppRemoval(string AccountId, string AppId);
