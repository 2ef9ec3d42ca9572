using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Reviews;

namespace ReviewHub.ReplyAutomation;

/// <summary>
/// When a rule applies. Every condition given must hold; an absent or empty one holds for every review. A rule never
/// applies to a review that already has a reply (through ReviewHub or in the store): that condition is fixed.
/// Keywords are matched case-insensitively in the title and body: any of <see cref="KeywordsIncluded"/> must occur,
/// none of <see cref="KeywordsExcluded"/> may.
/// </summary>
internal sealed record RuleConditions(
    IReadOnlyList<int>? Ratings = null,
    IReadOnlyList<string>? Territories = null,
    IReadOnlyList<string>? Stores = null,
    IReadOnlyList<string>? KeywordsIncluded = null,
    IReadOnlyList<string>? KeywordsExcluded = null,
    int? MinBodyLength = null,
    int? MaxBodyLength = null)
{
    public const int MaxKeywords = 20;
    public const int MaxKeywordLength = 50;

    public bool Matches(ReviewEntity review, AppEntity app)
    {
        var text = $"{review.Title}\n{review.Body}";
        var length = review.Body?.Length ?? 0;
        return (Ratings is not { Count: > 0 } || Ratings.Contains(review.Rating))
            && (Territories is not { Count: > 0 } || Territories.Contains(review.Territory, StringComparer.Ordinal))
            && (Stores is not { Count: > 0 } || Stores.Contains(StoreLimits.StoreOf(app), StringComparer.Ordinal))
            && (KeywordsIncluded is not { Count: > 0 }
                || KeywordsIncluded.Any(k => text.Contains(k, StringComparison.OrdinalIgnoreCase)))
            && (KeywordsExcluded is not { Count: > 0 }
                || !KeywordsExcluded.Any(k => text.Contains(k, StringComparison.OrdinalIgnoreCase)))
            && (MinBodyLength is not { } min || length >= min)
            && (MaxBodyLength is not { } max || length <= max);
    }

    public void Validate(ValidationErrors errors)
    {
        if (Ratings?.Any(r => r is < 1 or > 5) == true)
        {
            errors.Add("conditions.ratings", "must be between 1 and 5.");
        }
        foreach (var code in Territories?.Where(c => !Apps.Territories.IsKnown(c)).Take(5) ?? [])
        {
            errors.Add("conditions.territories",
                $"'{code}' is not an App Store territory (ISO 3166 alpha-3, upper case).");
        }
        if (Stores?.Any(s => !StoreLimits.Stores.Contains(s)) == true)
        {
            errors.Add("conditions.stores", $"must be among: {string.Join(", ", StoreLimits.Stores)}.");
        }
        Keywords(KeywordsIncluded, "conditions.keywordsIncluded", errors);
        Keywords(KeywordsExcluded, "conditions.keywordsExcluded", errors);
        if (MinBodyLength is < 0 or > 10_000 || MaxBodyLength is < 0 or > 10_000)
        {
            errors.Add("conditions", "minBodyLength and maxBodyLength must be between 0 and 10000.");
        }
        else if (MinBodyLength > MaxBodyLength)
        {
            errors.Add("conditions.minBodyLength", "must not be greater than maxBodyLength.");
        }
    }

    private static void Keywords(IReadOnlyList<string>? keywords, string field, ValidationErrors errors)
    {
        if (keywords is null)
        {
            return;
        }
        if (keywords.Count > MaxKeywords)
        {
            errors.Add(field, $"must have at most {MaxKeywords} keywords.");
        }
        foreach (var keyword in keywords.Take(MaxKeywords))
        {
            errors.SingleLine(keyword, field, MaxKeywordLength);
        }
    }
}
