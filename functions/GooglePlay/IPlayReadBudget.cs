namespace ReviewHub.GooglePlay;

/// <summary>
/// The per-app budget of Play reads (Play allows 200 <c>GET</c>s per app per hour), kept by ingestion on the app's
/// fetch schedule. Reads made outside the review source (the grant probe of a verification or a health check) are
/// counted in it too, so the fetches that follow see what is left.
/// </summary>
internal interface IPlayReadBudget
{
    /// <summary>Counts <paramref name="reads"/> reads of the app made now (an app without a schedule, being removed,
    /// counts nothing).</summary>
    Task SpendAsync(string accountId, string appId, int reads, CancellationToken cancellationToken);
}
