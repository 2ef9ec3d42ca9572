namespace ReviewHub.Integrations;

/// <summary>What happened to a connection after its setup: the audit trail the SPA reads.</summary>
internal enum IntegrationEventKind
{
    Degraded,
    Recovered,
    Disconnected,
}
