namespace ReviewHub.Integrations;

/// <summary>
/// Told when an integration becomes active (ingestion switches the app to hourly API fetching and starts its backfill).
/// Each listener is one activation step, recorded on the row once it returned; until then every retry calls it again
/// (also after it partly succeeded, or succeeded just before a crash): implementations are idempotent and complete
/// whatever they left undone.
/// </summary>
internal interface IIntegrationActivationListener
{
    /// <summary>Names the step on the row and in errors; stable (a renamed step runs again on resume).</summary>
    string ActivationStep { get; }

    Task OnActivatedAsync(AppConnection connection, CancellationToken cancellationToken);
}
