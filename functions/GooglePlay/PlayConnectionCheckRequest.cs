namespace ReviewHub.GooglePlay;

/// <summary>Check the account's Google Play connection now (queued by a refused call and by the daily timer).</summary>
internal sealed record PlayConnectionCheckRequest(string AccountId);
