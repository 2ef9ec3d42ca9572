namespace ReviewHub.Reviews;

/// <summary>The tables the Reviews feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class ReviewTables
{
    public const string Reviews = "Reviews";
    public const string ReviewTimeline = "ReviewTimeline";
    public const string ReviewFetchSchedules = "ReviewFetchSchedules";
    public const string ReviewFetchDue = "ReviewFetchDue";
    public const string ApiKeyBudgets = "ApiKeyBudgets";
    public const string ReviewKeys = "ReviewKeys";

    public static readonly IReadOnlyList<string> All =
        [Reviews, ReviewTimeline, ReviewFetchSchedules, ReviewFetchDue, ApiKeyBudgets, ReviewKeys];
}
