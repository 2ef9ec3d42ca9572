namespace ReviewHub.Integrations;

/// <summary>The queues the Integrations feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class IntegrationQueues
{
    /// <summary>Carries <see cref="IntegrationHealthCheckRequest"/>: check one connection in force.</summary>
    public const string IntegrationHealthChecks = "integration-health-checks";

    public static readonly IReadOnlyList<string> All = [IntegrationHealthChecks];
}
