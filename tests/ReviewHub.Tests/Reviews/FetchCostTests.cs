using ReviewHub.Fakes;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// What one fetch costs, counted (docs/capacity.md turns these counts into money): storage transactions (table
/// requests, and queue messages sent), function executions (the fetch, plus one for each message it queues) and App
/// Store Connect requests. The limits are today's counts: a change that raises one fails here and has to update the
/// cost model with it.
/// </summary>
public sealed class FetchCostTests
{
    // The figures of docs/capacity.md ("Cost per app"). Since disconnect (issue 13) a fetch made with a key re-reads
    // the integration once after it ran (a disconnect during the fetch puts the feed schedule back): +1 each. Since
    // team connections, each read of "the connection serving this app" reads the app's link first: +2 each.
    public const int IdleFetchTableRequests = 11;
    public const int IdleFetchAscRequests = 1;
    public const int IdleFetchExecutions = 1;
    // 15, the reviewer of the new review written (ReviewKeys), and read first: the reviewer rule of matching.
    public const int NewReviewFetchTableRequests = 17;
    public const int NewReviewFetchAscRequests = 1;
    public const int NewReviewFetchExecutions = 2;

    private static readonly DateTimeOffset Newest = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_idle_fetch_costs_one_App_Store_Connect_request_one_execution_and_a_few_storage_requests()
    {
        var (h, counter) = await BackfilledAsync();
        await using var _ = h;

        var outcome = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Completed, 0), (outcome.Kind, outcome.NewReviews));
        var cost = Cost(h, counter);
        Assert.True(cost.TableRequests <= IdleFetchTableRequests, $"{cost}");
        Assert.Equal(0, cost.QueueMessages);
        Assert.Equal(IdleFetchAscRequests, cost.AscRequests);
        Assert.Equal(IdleFetchExecutions, 1 + cost.QueueMessages);
    }

    [Fact]
    public async Task A_fetch_with_one_new_review_adds_a_few_writes_one_message_and_one_execution()
    {
        var (h, counter) = await BackfilledAsync();
        await using var _ = h;
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(1, Newest.AddHours(1), "new"));

        var outcome = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Completed, 1), (outcome.Kind, outcome.NewReviews));
        var cost = Cost(h, counter);
        Assert.True(cost.TableRequests <= NewReviewFetchTableRequests, $"{cost}");
        Assert.Equal(1, cost.QueueMessages); // the new-reviews batch
        Assert.Equal(NewReviewFetchAscRequests, cost.AscRequests);
        Assert.Equal(NewReviewFetchExecutions, 1 + cost.QueueMessages);
    }

    private sealed record FetchCost(int TableRequests, int QueueMessages, int AscRequests);

    private static FetchCost Cost(IngestionHarness h, TableRequestCounter counter) => new(
        counter.Count, h.App.Queue.Sent<object>(ReviewQueues.NewReviews).Count
            + h.App.Queue.Sent<object>(ReviewQueues.ReviewFetches).Count,
        h.ReviewRequests().Count);

    private static async Task<(IngestionHarness, TableRequestCounter)> BackfilledAsync()
    {
        var counter = new TableRequestCounter();
        var connection = await Infrastructure.Azurite.ConnectionStringAsync();
        var h = await IngestionHarness.StartAsync(configure: s => s.Replace(counter.Client(connection)));
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(450, Newest, "old"));
        await h.ActivateIntegrationAsync();
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync(Assert.Single(h.TakeFetches()))).Kind);
        // Counting starts now: an hourly fetch of an app whose history is imported.
        h.TakeBatches();
        h.TakeFetches();
        h.Asc.ClearRequests();
        counter.Reset();
        return (h, counter);
    }
}
