using ReviewHub.AppStoreConnect;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.Reviews;

/// <summary>The adaptive interval rule: floor, promised ceilings, the key's budget, the decayed review rate.</summary>
public sealed class FetchIntervalTests
{
    /// <summary>The defaults with the feed probe on for three territories (it ships off).</summary>
    private static readonly ReviewsOptions Defaults = new() { FeedProbeTerritories = 3 };

    /// <summary>Without the feed probe every slot is an App Store Connect fetch.</summary>
    private static readonly ReviewsOptions NoProbe = new() { FeedProbeTerritories = 0 };

    [Theory]
    [InlineData(0.0, 60, 60)] // no reviews: the hourly promise
    [InlineData(0.5, 60, 60)] // a review every two hours: still hourly, never longer
    [InlineData(1.05, 47, 57)] // about one an hour: one review a fetch, on the ladder below
    [InlineData(4.0, 12, 15)] // 4 an hour: a fetch every 15 minutes or a little less
    [InlineData(1000.0, 5, 5)] // busy: the floor
    public void Api_intervals_follow_the_rate_between_the_floor_and_the_hourly_ceiling(
        double perHour, int atLeastMinutes, int atMostMinutes)
    {
        var interval = FetchIntervals.For(NoProbe, ReviewSources.AppStoreConnect, perHour, budget: null);

        Assert.InRange(interval, TimeSpan.FromMinutes(atLeastMinutes), TimeSpan.FromMinutes(atMostMinutes));
    }

    [Theory]
    [InlineData(0.05, 60)] // quiet (1.2 a day): hourly, no probe
    [InlineData(0.25, 20)] // 0.1 review a probe: 24 min, on the ladder 23.8 min, the hour in three
    [InlineData(0.5, 10)] // 12 min, on the ladder 11.9 min, the hour in six
    [InlineData(1.0, 5)] // one an hour (busy): 5.9 min on the ladder; an eleventh is not whole in ticks: a twelfth
    [InlineData(1000.0, 5)] // the floor, the hour in twelve
    public void With_the_feed_probe_an_api_interval_divides_the_hour_so_the_hourly_slots_stay(
        double perHour, double minutes)
    {
        var interval = FetchIntervals.For(Defaults, ReviewSources.AppStoreConnect, perHour, budget: null);

        Assert.Equal(TimeSpan.FromMinutes(minutes), interval);
        Assert.Equal(0, Defaults.ApiInterval.Ticks % interval.Ticks);
        var appId = "app-on-the-hour";
        var hourly = FetchScheduler.NextSlotAfter(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Defaults.ApiInterval, appId);
        // The app's hourly slot is one of its probe slots: both phases come from the same hash.
        Assert.Equal(hourly, FetchScheduler.NextSlotAfter(hourly - interval, interval, appId));
    }

    [Fact]
    public void A_floor_that_does_not_divide_the_hour_is_kept_by_the_whole_part_above_it()
    {
        Assert.Equal(TimeSpan.FromMinutes(7.5),
            FetchIntervals.WholePartOf(TimeSpan.FromHours(1), TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(7)));
    }

    [Fact]
    public void Intervals_never_exceed_the_promise_of_their_source_nor_go_below_the_floor()
    {
        for (var perHour = 0.0; perHour < 500; perHour = perHour * 1.3 + 0.01)
        {
            var api = FetchIntervals.For(Defaults, ReviewSources.AppStoreConnect, perHour, null);
            var feed = FetchIntervals.For(Defaults, ReviewSources.Feed, perHour, null);
            Assert.InRange(api, Defaults.MinInterval, Defaults.ApiInterval);
            Assert.InRange(feed, Defaults.MinInterval, Defaults.FeedInterval);
            Assert.True(feed >= api, $"{perHour}/h: the feed ({feed}) is fetched more often than the API ({api})");
        }
    }

    [Fact]
    public void A_key_with_less_than_its_share_of_the_hour_left_fetches_its_apps_at_the_promise_only()
    {
        var plenty = new RateLimit(3600, 2000);
        var low = new RateLimit(3600, 1700);

        Assert.Equal(TimeSpan.FromMinutes(5), FetchIntervals.For(NoProbe, ReviewSources.AppStoreConnect, 100, plenty));
        Assert.Equal(TimeSpan.FromHours(1), FetchIntervals.For(NoProbe, ReviewSources.AppStoreConnect, 100, low));
        // With the feed probe the slots between the hourly API fetches cost the key nothing: the budget does not
        // hold them back.
        Assert.Equal(TimeSpan.FromMinutes(5), FetchIntervals.For(Defaults, ReviewSources.AppStoreConnect, 100, low));
    }

    [Fact]
    public void Adaptive_intervals_turned_off_keep_every_app_at_its_ceiling()
    {
        var off = new ReviewsOptions { ReviewsPerFetch = 0 };

        Assert.Equal(off.ApiInterval, FetchIntervals.For(off, ReviewSources.AppStoreConnect, 1000, null));
        Assert.Equal(off.FeedInterval, FetchIntervals.For(off, ReviewSources.Feed, 1000, null));
    }

    [Fact]
    public void The_rate_follows_what_fetches_find_and_one_review_moves_it_by_at_most_one_per_window()
    {
        var window = TimeSpan.FromHours(12);
        var rate = 0.0;
        // Twelve hours of fetches every 5 minutes, each finding one review: 12 an hour.
        for (var i = 0; i < 144 * 3; i++)
        {
            rate = FetchIntervals.NextRate(rate, TimeSpan.FromMinutes(5), 1, window);
        }
        Assert.InRange(rate, 11.0, 12.01);

        // A retry seconds after the last fetch that finds one review cannot make the app look busy.
        Assert.InRange(FetchIntervals.NextRate(0, TimeSpan.Zero, 1, window), 0, 1 / window.TotalHours + 1e-9);
        Assert.InRange(FetchIntervals.NextRate(0, TimeSpan.FromSeconds(1), 1, window), 0, 1 / window.TotalHours + 1e-9);

        // A day without reviews: e^-2 of the rate is left.
        var left = 12 * Math.Exp(-2);
        Assert.InRange(FetchIntervals.NextRate(12, TimeSpan.FromDays(1), 0, window), left - 0.01, left + 0.01);
    }

    [Fact]
    public void A_new_apps_rate_is_not_taken_for_a_quiet_one_and_its_first_review_counts_as_about_one_an_hour()
    {
        var window = TimeSpan.FromHours(12);
        var rate = 0.0;
        for (var i = 0; i < 12; i++)
        {
            rate = FetchIntervals.NextRate(rate, TimeSpan.FromMinutes(5), 2, window); // 24 an hour, for an hour
        }

        Assert.InRange(FetchIntervals.Estimate(rate, TimeSpan.FromHours(1), window), 22, 24.01);
        var first = FetchIntervals.NextRate(0, TimeSpan.FromSeconds(5), 1, window);
        Assert.InRange(FetchIntervals.Estimate(first, TimeSpan.FromSeconds(5), window), 0, 1.05);
    }
}
