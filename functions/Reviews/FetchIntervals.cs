using ReviewHub.AppStoreConnect;

namespace ReviewHub.Reviews;

/// <summary>
/// The adaptive fetch-interval rule (docs/ingestion.md, "Adaptive intervals"). Each app's review rate is an
/// exponentially decayed average of the new reviews its fetches found; its interval aims at
/// <see cref="ReviewsOptions.ReviewsPerFetch"/> new reviews per fetch (on a ladder of quarter octaves), clamped
/// between the floor (<see cref="ReviewsOptions.MinInterval"/>) and the source's promised ceiling, and falls back to
/// the ceiling while the App Store Connect key has less than <see cref="ReviewsOptions.SpeedUpBudgetShare"/> of its
/// hour left.
/// </summary>
internal static class FetchIntervals
{
    /// <summary>The promised longest interval of a source: hourly from the API, 4 times a day from the feed.</summary>
    public static TimeSpan Ceiling(ReviewsOptions options, string source) =>
        source == ReviewSources.Feed ? options.FeedInterval : options.ApiInterval; // the API sources promise hourly

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
    /// The app's review rate from the decayed average <paramref name="rate"/> after <paramref name="observedFor"/> of
    /// observation: early on the average has seen less than a window and is divided by the share it saw (so a new app
    /// is not taken for a quiet one); that share is taken as at least one hour's, so a first review counts as about one
    /// an hour.
    /// </summary>
    public static double Estimate(double rate, TimeSpan observedFor, TimeSpan window)
    {
        var hours = Math.Max(observedFor.TotalHours, 1);
        return rate / (1 - Math.Exp(-hours / window.TotalHours));
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
        var probed = source == ReviewSources.AppStoreConnect && options.FeedProbeTerritories > 0;
        if (!probed && budget is { HourlyLimit: > 0 }
            && budget.Remaining < options.SpeedUpBudgetShare * budget.HourlyLimit)
        {
            return ceiling; // the key's hour is getting spent: only the promised fetches
        }
        var floor = options.MinInterval < ceiling ? options.MinInterval : ceiling;
        var wanted = (probed ? options.ReviewsPerProbe : options.ReviewsPerFetch) / ratePerHour;
        if (wanted <= floor.TotalHours)
        {
            return floor;
        }
        // Rounded down to a ladder of quarter octaves above the floor (5, 5.9, 7.1, 8.4, 10 ... minutes), so a rate
        // that wobbles a little keeps its interval and its index row stays where it is.
        var steps = Math.Floor(StepsPerOctave * Math.Log2(wanted / floor.TotalHours) + 1e-9);
        var laddered = TimeSpan.FromTicks((long)(floor.Ticks * Math.Pow(2, steps / StepsPerOctave)));
        if (laddered >= ceiling)
        {
            return ceiling;
        }
        return probed ? WholePartOf(ceiling, laddered, floor) : laddered;
    }

    /// <summary>
    /// The longest whole part of <paramref name="ceiling"/> (ceiling / n, exact to the tick) not longer than
    /// <paramref name="interval"/> and not shorter than <paramref name="floor"/>: with the feed probe an app's slots
    /// then include its hourly slots (both hash to the same phase), so its App Store Connect fetch falls on a slot an
    /// hour after the last one and the probes fill the slots between.
    /// </summary>
    public static TimeSpan WholePartOf(TimeSpan ceiling, TimeSpan interval, TimeSpan floor)
    {
        var most = Math.Max(1, (long)Math.Floor(ceiling / floor + 1e-9));
        var wanted = Math.Min((long)Math.Ceiling(ceiling / interval - 1e-9), most);
        for (var parts = wanted; parts <= most; parts++)
        {
            if (ceiling.Ticks % parts == 0)
            {
                return ceiling / parts;
            }
        }
        for (var parts = wanted - 1; parts > 1; parts--)
        {
            if (ceiling.Ticks % parts == 0)
            {
                return ceiling / parts;
            }
        }
        return ceiling;
    }

    private const double StepsPerOctave = 4;
}
