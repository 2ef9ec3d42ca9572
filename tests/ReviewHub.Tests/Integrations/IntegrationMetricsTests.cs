using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Tests.Observability;

namespace ReviewHub.Tests.Integrations;

/// <summary>Integrations by state entered, counted by the store after each write (activities may repeat, orchestrations
/// replay).</summary>
public sealed class IntegrationMetricsTests
{
    private static readonly Dictionary<string, string?> HourlyPolls = new() { ["Integrations:PollInterval"] =
        "01:00:00" };

    [Fact]
    public async Task A_setup_that_becomes_active_counts_each_state_it_entered_once()
    {
        await using var h = await IntegrationHarness.StartAsync(HourlyPolls);
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);

        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status); // a double click starts nothing new
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);
        await h.WaitForStatusAsync(s => s.Status == "active");
        await h.WaitForCompletionAsync();

        Assert.Equal(
        [
            $"{ReviewHubMetrics.Names.Integrations} 1 state={IntegrationStatus.AwaitingOperator}",
            $"{ReviewHubMetrics.Names.Integrations} 1 state={IntegrationStatus.Verifying}",
            $"{ReviewHubMetrics.Names.Integrations} 1 state={IntegrationStatus.Activating}",
            $"{ReviewHubMetrics.Names.Integrations} 1 state={IntegrationStatus.Active}",
        ], recorded.LinesOf(ReviewHubMetrics.Names.Integrations));
        // The rate-limit handler also sees the integration's user lookups and its app listing.
        Assert.Equal(
            h.UserLookups + h.Asc.AppListings,
            recorded.Values(ReviewHubMetrics.Names.AppStoreConnectRateLimitRemaining).Count);
    }

    [Fact]
    public async Task A_cancelled_setup_counts_one_cancellation_although_the_orchestration_records_it_too()
    {
        await using var h = await IntegrationHarness.StartAsync(HourlyPolls);
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);

        Assert.Equal(200, (await h.App.Host.PostAsync($"{h.IntegrationPath}/cancel", h.World.Token)).Status);
        await h.WaitForCompletionAsync();

        Assert.Equal(1, recorded.Sum(ReviewHubMetrics.Names.Integrations, $"state={IntegrationStatus.Cancelled}"));
        Assert.Equal(2, recorded.LinesOf(ReviewHubMetrics.Names.Integrations).Count);
    }
}
