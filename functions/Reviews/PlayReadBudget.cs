using ReviewHub.GooglePlay;

namespace ReviewHub.Reviews;

/// <summary>
/// An Android app's Play reads in its current quota hour, kept on its fetch schedule (<c>PlayQuotaHour</c>,
/// <c>PlayQuotaUsed</c>): the review source's polls and the grant probe's reads (verification, health checks) alike,
/// against <c>Reviews__PlayReadsPerHour</c> of Play's 200 per app and hour. A quota hour starts with the first read
/// after the previous one ended.
/// </summary>
internal sealed class PlayReadBudget(FetchScheduler scheduler, TimeProvider clock) : IPlayReadBudget
{
    private static readonly TimeSpan QuotaHour = TimeSpan.FromHours(1);

    /// <summary>The quota hour the app is in at <paramref name="now"/> and the reads spent in it.</summary>
    public static (DateTimeOffset Hour, int Used) At(FetchScheduleEntity schedule, DateTimeOffset now) =>
        schedule.PlayQuotaHour is { } hour && now - hour < QuotaHour
            ? (hour, schedule.PlayQuotaUsed)
            : (now, 0);

    /// <summary>When the app's current quota hour ends.</summary>
    public static DateTimeOffset HourEnds(DateTimeOffset hour) => hour + QuotaHour;

    /// <summary>Adds <paramref name="reads"/> made at <paramref name="at"/> to the schedule (in the ETag-checked
    /// update of its caller, so concurrent counts add up).</summary>
    public static void Spend(FetchScheduleEntity schedule, DateTimeOffset at, int reads)
    {
        var (hour, used) = At(schedule, at);
        (schedule.PlayQuotaHour, schedule.PlayQuotaUsed) = (hour, used + reads);
    }

    public async Task SpendAsync(string accountId, string appId, int reads, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await scheduler.UpdateAsync(accountId, appId, s =>
        {
            Spend(s, now, reads);
            return true;
        }, cancellationToken);
    }
}
