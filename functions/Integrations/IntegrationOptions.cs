using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ReviewHub.Integrations;

/// <summary>Integration setup settings, bound from <c>Integrations__*</c>.</summary>
internal sealed class IntegrationOptions : IValidatableObject
{
    public const string Section = "Integrations";

    /// <summary>Domain of the integration emails customers invite (asc-{accountId}@domain); its mailboxes reach the
    /// operators.</summary>
    [Required,
        RegularExpression(@"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        ErrorMessage = "EmailDomain must be a lowercase domain name.")]
    public string EmailDomain { get; set; } = string.Empty;

    /// <summary>Name the customer types into App Store Connect's invitation form.</summary>
    [Required]
    public string InviteeFirstName { get; set; } = "ReviewHub";

    [Required]
    public string InviteeLastName { get; set; } = "Connect";

    /// <summary>How many working days the operators and the customer have to finish the setup.</summary>
    [Range(1, 30)]
    public int WorkingDays { get; set; } = 3;

    /// <summary>IANA (or Windows) time zone whose calendar decides weekends and holidays.</summary>
    [Required]
    public string BusinessTimeZone { get; set; } = "UTC";

    /// <summary>Comma-separated non-working dates (yyyy-MM-dd) in the business time zone.</summary>
    public string Holidays { get; set; } = string.Empty;

    /// <summary>How often a waiting setup re-checks App Store Connect on its own.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Attempts per orchestration activity (App Store Connect, tables, SendGrid) before the orchestration
    /// moves on.</summary>
    [Range(1, 20)]
    public int ActivityMaxAttempts { get; set; } = 5;

    /// <summary>Delay before an activity's first retry; later retries double it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ActivityFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Working time a connection may wait on ReviewHub's operators before it counts as late (the operators-late metric
    /// and alert, and the work list's <c>overdue</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan OperatorWaitAlertAfter { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// At most this many connections are queued for the daily health check per run; a run that reaches it leaves a
    /// cursor and the next run goes on from there (<see cref="DailyHealthCheckCursor"/>).
    /// </summary>
    [Range(1, 1_000_000)]
    public int DailyHealthChecksPerRun { get; set; } = 50_000;

    public string IntegrationEmailFor(string accountId) => $"asc-{accountId}@{EmailDomain}";

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(BusinessTimeZone);

    public IReadOnlySet<DateOnly> HolidayDates => Holidays
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture))
        .ToHashSet();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(BusinessTimeZone, out _))
        {
            yield return new ValidationResult($"BusinessTimeZone '{BusinessTimeZone}' is not a known time zone.",
                [nameof(BusinessTimeZone)]);
        }
        foreach (var day in Holidays.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                yield return new ValidationResult($"Holidays: '{day}' is not a yyyy-MM-dd date.", [nameof(Holidays)]);
            }
        }
    }
}

/// <summary>Working-day arithmetic in the business calendar: weekends and configured holidays do not count.</summary>
internal sealed class WorkingDayCalendar(TimeZoneInfo timeZone, IReadOnlySet<DateOnly> holidays)
{
    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)
        && !holidays.Contains(day);

    /// <summary>
    /// The same local time of day, <paramref name="workingDays"/> working days after <paramref name="from"/>'s local
    /// date (Tuesday 10:00 → Friday 10:00; Friday → Wednesday). Days are counted in the business time zone, not in UTC.
    /// </summary>
    public DateTimeOffset AddWorkingDays(DateTimeOffset from, int workingDays)
    {
        var local = TimeZoneInfo.ConvertTime(from, timeZone);
        var day = DateOnly.FromDateTime(local.DateTime);
        for (var counted = 0; counted < workingDays;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }
        var target = day.ToDateTime(TimeOnly.FromDateTime(local.DateTime));
        // A wall-clock time skipped by a daylight-saving jump does not exist; use the first valid time after it.
        while (timeZone.IsInvalidTime(target))
        {
            target = target.AddMinutes(30);
        }
        return new DateTimeOffset(target, timeZone.GetUtcOffset(target)).ToUniversalTime();
    }

    /// <summary>How much of [<paramref name="from"/>, <paramref name="to"/>) falls on working days (local
    /// calendar).</summary>
    public TimeSpan WorkingTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        for (var cursor = from; cursor < to;)
        {
            var (day, nextMidnight) = LocalDayOf(cursor);
            var end = nextMidnight < to ? nextMidnight : to;
            if (IsWorkingDay(day))
            {
                total += end - cursor;
            }
            cursor = end;
        }
        return total;
    }

    /// <summary>The instant <paramref name="working"/> working time after <paramref name="from"/> (non-working days
    /// are skipped).</summary>
    public DateTimeOffset AddWorkingTime(DateTimeOffset from, TimeSpan working)
    {
        var cursor = from;
        for (var left = working; left > TimeSpan.Zero;)
        {
            var (day, nextMidnight) = LocalDayOf(cursor);
            if (IsWorkingDay(day))
            {
                if (nextMidnight - cursor >= left)
                {
                    return cursor + left;
                }
                left -= nextMidnight - cursor;
            }
            cursor = nextMidnight;
        }
        return cursor;
    }

    /// <summary>The local date of <paramref name="instant"/> and the UTC instant its next local day
    /// begins.</summary>
    private (DateOnly Day, DateTimeOffset NextMidnight) LocalDayOf(DateTimeOffset instant)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, timeZone).DateTime);
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue);
        while (timeZone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }
        return (day, new DateTimeOffset(midnight, timeZone.GetUtcOffset(midnight)).ToUniversalTime());
    }
}
