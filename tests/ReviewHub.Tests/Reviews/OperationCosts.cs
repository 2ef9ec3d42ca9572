using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Replies;
using ReviewHub.Tests.Delivery;
using ReviewHub.Tests.Replies;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// What one step of a flow costs, counted: table requests (a pipeline policy on the app's table client), queue
/// messages sent (each also a storage transaction to put, and two for its trigger to get and delete), function
/// executions, and outbound requests (App Store Connect, or the channel's service).
/// </summary>
internal sealed record StepCost(int TableRequests, int QueueMessages, int Executions, int OutboundRequests)
{
    /// <summary>Storage transactions: table requests and one put per message (the trigger's get and delete are
    /// counted with the execution that the message starts).</summary>
    public int StorageTransactions => TableRequests + QueueMessages;
}

/// <summary>A delivery of one new review to one route of each channel: the fan-out, then one delivery per route.
/// </summary>
internal sealed record DeliveryCosts(StepCost FanOut, IReadOnlyDictionary<DeliveryChannel, StepCost> PerRoute);

/// <summary>A reply: the member's PUT, the <c>SendReply</c> run that posts it, and one moderation check (the timer
/// asks App Store Connect about the pending reply every few minutes until it is published).</summary>
internal sealed record ReplyCosts(StepCost Put, StepCost Send, StepCost ModerationCheck)
{
    public int StorageTransactions => Put.StorageTransactions + Send.StorageTransactions;
}

/// <summary>
/// Runs a delivery and a reply on a test app with counted storage, for the cost guards
/// (<see cref="DeliveryAndReplyCostTests"/>) and the ingest benchmark's RESULT line.
/// </summary>
internal static class OperationCosts
{
    public static async Task<DeliveryCosts> MeasureDeliveryAsync()
    {
        var counter = new TableRequestCounter();
        var connection = await Infrastructure.Azurite.ConnectionStringAsync();
        await using var h = await DeliveryHarness.StartAsync(configure: s => s.Replace(counter.Client(connection)));
        var channels = new Dictionary<string, DeliveryChannel>(StringComparer.Ordinal)
        {
            [(await h.AddSlackRouteAsync()).RouteId] = DeliveryChannel.Slack,
            [(await h.AddZendeskRouteAsync()).RouteId] = DeliveryChannel.Zendesk,
            [(await h.AddEmailRouteAsync()).RouteId] = DeliveryChannel.Email,
            [(await h.AddWebhookRouteAsync()).RouteId] = DeliveryChannel.Webhook,
        };
        var batch = h.Batch(await h.SeedReviewsAsync(1, rating: 1));
        FakeHttpServer[] services = [h.Slack, h.Zendesk, h.SendGrid, h.Webhooks];

        var fanOut = await CountAsync(counter, h.App.Queue, services, () => h.FanOutAsync(batch));
        var perRoute = new Dictionary<DeliveryChannel, StepCost>();
        foreach (var work in h.TakeWork())
        {
            perRoute[channels[work.RouteId]] = await CountAsync(
                counter, h.App.Queue, services, () => h.DeliverAsync(work));
        }
        if (h.Slack.Messages.Count + h.Zendesk.Tickets.Count + h.SendGrid.Emails.Count + h.Webhooks.Received.Count != 4)
        {
            throw new InvalidOperationException("The review did not reach every channel once.");
        }
        return new DeliveryCosts(fanOut, perRoute);
    }

    public static async Task<ReplyCosts> MeasureReplyAsync()
    {
        // Its own storage: the moderation timer scans the in-flight index of every app on its Azurite.
        const string storage = "reply-cost";
        var counter = new TableRequestCounter();
        var connection = await Infrastructure.Azurite.IsolatedConnectionStringAsync(storage);
        await using var s = await ReplyScenario.StartAsync(
            storageName: storage, configure: services => services.Replace(counter.Client(connection)));
        FakeHttpServer[] asc = [s.Asc];

        var put = await CountAsync(counter, s.App.Queue, asc, async () =>
        {
            var response = await s.PutAsync("Thanks! Version 2.1 fixes the crash.");
            if (response.Status != 202)
            {
                throw new InvalidOperationException(response.ToString());
            }
        });
        var messages = s.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends);
        var send = await CountAsync(counter, s.App.Queue, asc, async () =>
        {
            foreach (var message in messages)
            {
                await s.Sender.SendAsync(message, CancellationToken.None);
            }
        });
        s.Asc.PublishResponse(s.ReviewId);
        var check = await CountAsync(counter, s.App.Queue, asc, async () =>
        {
            var summary = await s.Tracker(TimeSpan.FromMinutes(21)).CheckAsync(CancellationToken.None);
            if (summary.Published != 1)
            {
                throw new InvalidOperationException($"The moderation check did not publish the reply: {summary}");
            }
        });
        return new ReplyCosts(put, send with { Executions = messages.Count }, check);
    }

    /// <summary>Counts what <paramref name="step"/>, one function execution, does (the executions its messages start
    /// are counted with the steps that run them).</summary>
    private static async Task<StepCost> CountAsync(
        TableRequestCounter counter, RecordingMessageQueue queue, IReadOnlyList<FakeHttpServer> outbound,
        Func<Task> step)
    {
        foreach (var service in outbound)
        {
            service.ClearRequests();
        }
        var (tables, messages) = (counter.Count, queue.SentCount);
        await step();
        var sent = queue.SentCount - messages;
        return new StepCost(counter.Count - tables, sent, 1, outbound.Sum(s => s.Requests.Count));
    }
}

/// <summary>Counts the requests a table client sends (queries, entity operations and batch transactions
/// alike).</summary>
internal sealed class TableRequestCounter : HttpPipelineSynchronousPolicy
{
    private int count;

    public int Count => Volatile.Read(ref count);

    public void Reset() => Interlocked.Exchange(ref count, 0);

    /// <summary>A table client whose requests this counter counts.</summary>
    public TableServiceClient Client(string connectionString)
    {
        var options = new TableClientOptions();
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return new TableServiceClient(connectionString, options);
    }

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref count);
}
