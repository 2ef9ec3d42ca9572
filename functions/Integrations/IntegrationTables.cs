namespace ReviewHub.Integrations;

/// <summary>The tables the Integrations feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class IntegrationTables
{
    public const string Integrations = "Integrations";
    public const string IntegrationEvents = "IntegrationEvents";
    public const string ConnectionApps = "ConnectionApps";

    public static readonly IReadOnlyList<string> All = [Integrations, IntegrationEvents, ConnectionApps];
}
