using ReviewHub.AppStoreConnect;

namespace ReviewHub.Reviews;

/// <summary>
/// The adaptive fetch-interval rule (docs/ingestion.md, "Adaptive intervals"). Each app's review rate is an
/// exponentially decayed average of the new reviews its fetches found; its interval aims at
/// <see cref="ReviewsOptions.ReviewsPerFetch"/> new reviews per fetch, clamped between the floor
/// (<see cref="ReviewsOptions.MinInterval"/>) and the source's promised ceiling, and falls back to the ceiling while the
/// App Store Connect key has less than <see cref="ReviewsOptions.SpeedUpBudgetShare"/> of its hour left.
/// </summary>
public static class FetchIntervals
{
    /// <summary>The promised longest interval of a source: hourly from the API, 4 times a day from the feed.</summary>
    public static TimeSpan Ceiling(ReviewsOptions options, string source) =>
        source == ReviewSources.AppStoreConnect ? options.ApiInterval : options.FeedInterval;

    /// <summary>
    /// The review rate (per hour) after a fetch that found <paramref name="newReviews"/> new reviews
    /// <paramref name="elapsed"/> after the previous observation: the old rate decays by e^(-elapsed/window) and the
    /// reviews just found fill the rest. One review never adds more than 1/window, however short the gap.
    /// </summary>
    public static double NextRate(double rate, TimeSpan elapsed, int newReviews, TimeSpan window)
    {
        var hours = Math.Max(elapsed.TotalHours, 0);
        var keep = Math.Exp(-hours / window.TotalHours);
        var observed = hours > 0 ? newReviews / hours : 0;
        var added = hours > 0 ? (1 - keep) * observed : newReviews / window.TotalHours;
        return rate * keep + added;
    }

    /// <summary>
    /// The interval for an app fetched from <paramref name="source"/> at <paramref name="ratePerHour"/> reviews an
    /// hour. <paramref name="budget"/> is the key's last <c>X-Rate-Limit</c> (null: unknown or the feed).
    /// </summary>
    public static TimeSpan For(ReviewsOptions options, string source, double ratePerHour, RateLimit? budget)
    {
        var ceiling = Ceiling(options, source);
        if (options.ReviewsPerFetch <= 0 || ratePerHour <= 0)
        {
            return ceiling;
        }
        if (budget is { HourlyLimit: > 0 } && budget.Remaining < options.SpeedUpBudgetShare * budget.HourlyLimit)
        {
            return ceiling; // the key's hour is getting spent: only the promised fetches
        }
        var wanted = Math.Min(options.ReviewsPerFetch / ratePerHour, ceiling.TotalHours);
        // Rounded down to a ladder of quarter octaves below the ceiling (60, 50, 42, 36, 30, 25 ... minutes), so a rate
        // that wobbles a little keeps its interval and its index row stays where it is.
        var steps = Math.Ceiling(StepsPerOctave * Math.Log2(ceiling.TotalHours / wanted) - 1e-9);
        var laddered = TimeSpan.FromTicks((long)(ceiling.Ticks / Math.Pow(2, steps / StepsPerOctave)));
        var floor = options.MinInterval < ceiling ? options.MinInterval : ceiling;
        return laddered < floor ? floor : laddered;
    }

    private const double StepsPerOctave = 4;
}
