namespace ReviewHub.Apps;

/// <summary>
/// Implemented by every feature that stores data per app (reviews, replies, routes, integrations, schedules). Called
/// when an app is removed, at least twice (see <see cref="AppRemovalFunctions"/>): it must be idempotent, and must find
/// every row of the app from its ids alone (a row written by work in flight may have no other row pointing at it).
/// </summary>
internal interface IAppDataPurger
{
    Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken);
}
