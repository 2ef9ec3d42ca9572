using ReviewHub.Storage;

namespace ReviewHub.Tests.Platform;

/// <summary>The one backoff of handlers that re-send their own messages (reply sends, review fetches).</summary>
public sealed class QueueRetryTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(15);

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(5, 480)]
    [InlineData(6, 900)] // 960 s capped at 15 minutes
    [InlineData(40, 900)]
    public void The_delay_doubles_per_failed_attempt_up_to_the_cap_within_twenty_percent(int failedAttempt,
        int nominalSeconds)
    {
        for (var i = 0; i < 200; i++)
        {
            var delay = QueueRetry.Backoff(failedAttempt, Base, Cap).TotalSeconds;
            Assert.InRange(delay, nominalSeconds * 0.8, nominalSeconds * 1.2);
        }
    }

    [Fact]
    public void The_delays_are_spread_so_messages_failing_together_do_not_return_together()
    {
        var delays = Enumerable.Range(0, 50).Select(_ => QueueRetry.Backoff(2, Base, Cap)).Distinct().Count();
        Assert.True(delays > 40, $"{delays} distinct delays");
    }

    [Fact]
    public void The_last_attempt_of_the_budget_gets_no_delay_and_goes_to_poison()
    {
        Assert.NotNull(QueueRetry.NextDelay(4, maxAttempts: 5, Base, Cap));
        Assert.Null(QueueRetry.NextDelay(5, maxAttempts: 5, Base, Cap));
        Assert.Null(QueueRetry.NextDelay(6, maxAttempts: 5, Base, Cap));
    }
}
