using ReviewHub.Integrations;
using System.Globalization;

namespace ReviewHub.Tests.Integrations;

public sealed class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar Utc = new(TimeZoneInfo.Utc, new HashSet<DateOnly>());

    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc + "Z", CultureInfo.InvariantCulture)
        .ToUniversalTime();

    [Fact]
    public void Mid_week_adds_three_days_at_the_same_time()
    {
        // Tuesday 10:00 → Friday 10:00.
        Assert.Equal(At("2026-11-27T10:00:00"), Utc.AddWorkingDays(At("2026-11-24T10:00:00"), 3));
    }

    [Fact]
    public void Friday_ends_on_Wednesday_because_the_weekend_does_not_count()
    {
        Assert.Equal(At("2026-12-02T16:30:00"), Utc.AddWorkingDays(At("2026-11-27T16:30:00"), 3));
    }

    [Fact]
    public void A_confirmation_on_Saturday_counts_from_Monday()
    {
        Assert.Equal(At("2026-12-02T09:00:00"), Utc.AddWorkingDays(At("2026-11-28T09:00:00"), 3));
    }

    [Fact]
    public void A_holiday_inside_the_window_is_skipped()
    {
        var calendar = new WorkingDayCalendar(TimeZoneInfo.Utc, new HashSet<DateOnly> { new(2026, 12, 24),
            new(2026, 12, 25) });

        // Wednesday 23 Dec: Thu 24 and Fri 25 are holidays, the weekend follows → Mon 28, Tue 29, Wed 30.
        Assert.Equal(At("2026-12-30T11:00:00"), calendar.AddWorkingDays(At("2026-12-23T11:00:00"), 3));
    }

    [Fact]
    public void Days_are_counted_in_the_business_time_zone_where_the_utc_date_differs()
    {
        var losAngeles = new WorkingDayCalendar(TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles"),
            new HashSet<DateOnly>());

        // Saturday 03:00 UTC is still Friday 19:00 in Los Angeles: Friday → Wednesday 19:00 PST = Thursday 03:00 UTC.
        // Counting in UTC would have started on Saturday and ended on Wednesday 03:00 UTC, a day early.
        Assert.Equal(At("2026-12-03T03:00:00"), losAngeles.AddWorkingDays(At("2026-11-28T03:00:00"), 3));
    }

    [Fact]
    public void A_holiday_is_a_local_date_in_the_business_time_zone()
    {
        var tokyo = new WorkingDayCalendar(TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"),
            new HashSet<DateOnly> { new(2026, 11, 26) });

        // Wednesday 20:00 UTC is already Thursday 05:00 in Tokyo: the Thursday holiday is the confirmation day, not
        // inside the window → Fri, Mon, Tue 05:00 JST. Counting UTC dates would have skipped it and ended a day later.
        Assert.Equal(At("2026-11-30T20:00:00"), tokyo.AddWorkingDays(At("2026-11-25T20:00:00"), 3));
    }

    [Fact]
    public void The_deadline_keeps_the_local_time_across_a_daylight_saving_change()
    {
        var berlin = new WorkingDayCalendar(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
            new HashSet<DateOnly>());

        // Wed 25 Mar 2026 02:30 CET (01:30 UTC) → Mon 30 Mar 02:30 CEST (00:30 UTC): summer time began on Sunday 29
        // March.
        Assert.Equal(At("2026-03-30T00:30:00"), berlin.AddWorkingDays(At("2026-03-25T01:30:00"), 3));
    }

    [Fact]
    public void Working_time_skips_the_weekend_and_holidays_both_ways()
    {
        var calendar = new WorkingDayCalendar(TimeZoneInfo.Utc, new HashSet<DateOnly> { new(2026, 12, 1) });

        // Friday 20:00 → Monday 02:00: 4 h on Friday + 2 h on Monday.
        Assert.Equal(TimeSpan.FromHours(6),
            calendar.WorkingTimeBetween(At("2026-11-27T20:00:00"), At("2026-11-30T02:00:00")));
        Assert.Equal(At("2026-11-30T02:00:00"), calendar.AddWorkingTime(At("2026-11-27T20:00:00"),
            TimeSpan.FromHours(6)));
        // Monday 22:00 + 4 h skips the Tuesday holiday: Wednesday 02:00.
        Assert.Equal(At("2026-12-02T02:00:00"), calendar.AddWorkingTime(At("2026-11-30T22:00:00"),
            TimeSpan.FromHours(4)));
        Assert.Equal(TimeSpan.Zero, calendar.WorkingTimeBetween(At("2026-11-28T01:00:00"), At("2026-11-29T23:00:00")));
    }

    [Fact]
    public void Working_time_counts_local_days_in_the_business_time_zone()
    {
        var berlin = new WorkingDayCalendar(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
            new HashSet<DateOnly>());

        // Friday 3 July 22:30 UTC is already Saturday in Berlin (UTC+2 in summer): nothing counts until Sunday 22:00
        // UTC, when Monday begins in Berlin.
        Assert.Equal(TimeSpan.FromHours(2),
            berlin.WorkingTimeBetween(At("2026-07-03T22:30:00"), At("2026-07-06T00:00:00")));
    }
}
