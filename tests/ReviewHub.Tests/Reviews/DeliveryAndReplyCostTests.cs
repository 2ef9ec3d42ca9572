using ReviewHub.Delivery;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// What a delivery and a reply cost, counted (<see cref="OperationCosts"/>; docs/capacity.md turns these counts into
/// money, and the ingest benchmark prints them). The limits are today's counts: a change that raises one fails here and
/// has to update the cost model with it.
/// </summary>
public sealed class DeliveryAndReplyCostTests
{
    // The figures of docs/capacity.md ("Counted costs").
    public const int FanOutTableRequests = 3;
    public const int ReplyPutTableRequests = 12;
    public const int ReplySendTableRequests = 17;
    public const int ModerationCheckTableRequests = 12;

    /// <summary>Table requests of one route's delivery of one review: route, app, review, ledger claim and completion;
    /// Slack also reads whether the review can be replied to (its reply button), email its recipients' confirmations.
    /// </summary>
    internal static readonly IReadOnlyDictionary<DeliveryChannel, int> DeliveryTableRequests =
        new Dictionary<DeliveryChannel, int>
        {
            [DeliveryChannel.Slack] = 6, [DeliveryChannel.Zendesk] = 5,
            [DeliveryChannel.Email] = 9, [DeliveryChannel.Webhook] = 5,
        };

    [Fact]
    public async Task A_review_delivered_to_one_route_of_each_channel_costs_a_few_storage_requests_and_calls_per_route()
    {
        var costs = await OperationCosts.MeasureDeliveryAsync();

        Assert.True(costs.FanOut.TableRequests <= FanOutTableRequests, $"{costs.FanOut}");
        Assert.Equal(4, costs.FanOut.QueueMessages); // one unit of work per route
        Assert.Equal(0, costs.FanOut.OutboundRequests);
        Assert.Equal(DeliveryTableRequests.Keys.Order(), costs.PerRoute.Keys.Order());
        foreach (var (channel, cost) in costs.PerRoute)
        {
            Assert.True(cost.TableRequests <= DeliveryTableRequests[channel], $"{channel}: {cost}");
            Assert.Equal((0, 1), (cost.QueueMessages, cost.OutboundRequests)); // one post, ticket, email or call
        }
    }

    [Fact]
    public async Task A_reply_costs_one_App_Store_Connect_request_to_send_and_one_per_moderation_check()
    {
        var costs = await OperationCosts.MeasureReplyAsync();

        Assert.True(costs.Put.TableRequests <= ReplyPutTableRequests, $"{costs.Put}");
        Assert.Equal((1, 0), (costs.Put.QueueMessages, costs.Put.OutboundRequests));
        Assert.True(costs.Send.TableRequests <= ReplySendTableRequests, $"{costs.Send}");
        // Sent, then published: each status change queues one update of the review's Slack message and one reply
        // event (reply-events) for the routes that subscribe.
        Assert.Equal((2, 1, 1), (costs.Send.QueueMessages, costs.Send.Executions, costs.Send.OutboundRequests));
        Assert.True(costs.ModerationCheck.TableRequests <= ModerationCheckTableRequests, $"{costs.ModerationCheck}");
        Assert.Equal((2, 1), (costs.ModerationCheck.QueueMessages, costs.ModerationCheck.OutboundRequests));
    }
}
