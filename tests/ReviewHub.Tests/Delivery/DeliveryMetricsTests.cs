using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Observability;
using ReviewHub.Tests.Observability;

namespace ReviewHub.Tests.Delivery;

/// <summary>What delivery reports on the ReviewHub meter: (review, route) pairs by channel and outcome, and routes that
/// broke.</summary>
public sealed class DeliveryMetricsTests
{
    private const string Deliveries = ReviewHubMetrics.Names.Deliveries;

    [Fact]
    public async Task Each_pair_counts_as_delivered_once_per_channel_and_a_redelivered_message_counts_as_skipped()
    {
        await using var h = await DeliveryHarness.StartAsync();
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        await h.AddSlackRouteAsync();
        await h.AddWebhookRouteAsync();
        await h.FanOutAsync(h.Batch(await h.SeedReviewsAsync(2)));
        var work = h.TakeWork();

        foreach (var item in work.Concat(work))
        {
            await h.DeliverAsync(item); // every delivery message processed twice
        }

        foreach (var channel in new[] { nameof(DeliveryChannel.Slack), nameof(DeliveryChannel.Webhook) })
        {
            Assert.Equal(2, recorded.Sum(Deliveries, $"channel={channel}",
                $"outcome={ReviewHubMetrics.DeliveryOutcomes.Delivered}"));
            Assert.Equal(2, recorded.Sum(Deliveries, $"channel={channel}",
                $"outcome={ReviewHubMetrics.DeliveryOutcomes.Skipped}"));
        }
        Assert.Equal(0, recorded.Sum(Deliveries, $"outcome={ReviewHubMetrics.DeliveryOutcomes.Failed}"));
    }

    [Fact]
    public async Task A_server_error_counts_as_failed_and_the_retry_that_succeeds_as_delivered()
    {
        await using var h = await DeliveryHarness.StartAsync();
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        await h.AddZendeskRouteAsync();
        await h.FanOutAsync(h.Batch(await h.SeedReviewsAsync(1)));
        var work = Assert.Single(h.TakeWork());

        h.Zendesk.Fail(new InjectedFault(500, """{"error":"internal"}"""), times: 4);
        await Assert.ThrowsAsync<ChannelException>(() => h.DeliverAsync(work));
        await h.DeliverAsync(work);

        Assert.Equal(
        [
            $"{Deliveries} 1 channel={nameof(DeliveryChannel.Zendesk)} " +
                $"outcome={ReviewHubMetrics.DeliveryOutcomes.Failed}",
            $"{Deliveries} 1 channel={nameof(DeliveryChannel.Zendesk)} " +
                $"outcome={ReviewHubMetrics.DeliveryOutcomes.Delivered}",
        ], recorded.LinesOf(Deliveries));
    }

    [Fact]
    public async Task A_refused_credential_counts_one_broken_route_however_many_batches_follow()
    {
        await using var h = await DeliveryHarness.StartAsync();
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        await h.AddSlackRouteAsync(token: "xoxb-revoked");

        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));
        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));

        Assert.Equal([$"{ReviewHubMetrics.Names.RoutesBroken} 1 channel={nameof(DeliveryChannel.Slack)}"],
            recorded.LinesOf(ReviewHubMetrics.Names.RoutesBroken));
        Assert.Equal(1, recorded.Sum(Deliveries, $"channel={nameof(DeliveryChannel.Slack)}",
            $"outcome={ReviewHubMetrics.DeliveryOutcomes.Failed}"));
    }
}
