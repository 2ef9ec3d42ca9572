namespace ReviewHub.Delivery;

/// <summary>The tables the Delivery feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class DeliveryTables
{
    public const string DeliveryRoutes = "DeliveryRoutes";
    public const string Deliveries = "Deliveries";

    public static readonly IReadOnlyList<string> All = [DeliveryRoutes, Deliveries];
}
