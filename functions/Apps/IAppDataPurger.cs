namespace ReviewHub.Apps;

/// <summary>
/// Implemented by every feature that stores data per app (reviews, replies, routes, integrations, schedules).
/// Called when an app is removed, possibly more than once: it must be idempotent.
/// </summary>
public interface IAppDataPurger
{
    Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken);
}
