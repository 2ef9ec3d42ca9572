namespace ReviewHub.Apps;

/// <summary>The tables the Apps feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class AppTables
{
    public const string Apps = "Apps";

    public static readonly IReadOnlyList<string> All = [Apps];
}
