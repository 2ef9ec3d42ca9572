namespace ReviewHub.Integrations;

/// <summary>
/// Told when a connection in force stops or resumes: the features that use its key fall back or catch up (ingestion
/// returns the app to the public feed's schedule on disconnect, and fetches the gap from its watermark on recovery).
/// Implementations are idempotent: a repeated disconnect or check calls them again.
/// </summary>
internal interface IIntegrationConnectionListener
{
    Task OnDisconnectedAsync(string accountId, string appId, CancellationToken cancellationToken);

    /// <summary>A connection's key is no longer used (deleted on disconnect): forget what was kept per key.</summary>
    Task OnKeyRetiredAsync(string credentialReference, CancellationToken cancellationToken);

    Task OnRecoveredAsync(AppConnection connection, CancellationToken cancellationToken);
}
