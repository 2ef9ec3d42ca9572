namespace ReviewHub.GooglePlay;

/// <summary>
/// Told when an account's Play connection becomes usable: verified, or recovered after a degradation. Ingestion fetches
/// the account's Android apps at once (on recovery that brings the gap, within Play's 7-day window).
/// Implementations are idempotent: a repeated activity or check calls them again.
/// </summary>
internal interface IPlayConnectionListener
{
    Task OnReadableAsync(string accountId, CancellationToken cancellationToken);
}
