namespace ReviewHub.Storage;

/// <summary>The tables the Storage feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class SharedTables
{
    public const string RateLimits = "RateLimits";

    public static readonly IReadOnlyList<string> All = [RateLimits];
}
