using ReviewHub.Apps;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Fuzz;

/// <summary>The fuzzer's checks can fail: a 5xx, a write on a 4xx and an undocumented answer are each
/// reported.</summary>
public sealed class FuzzCheckTests
{
    private static readonly FuzzRequest Request = new("GetApp", HttpMethod.Get, "/api/accounts/a/apps/b", "owner", "t",
        null, false);

    private static TestResponse Problem(int status, string function = "GetApp") =>
        new(status, new HeaderDictionary { ["Content-Type"] = "application/problem+json" },
            $$"""{"type":"https://httpstatuses.io/{{status}}","title":"x","status":{{status}}}""", function);

    [Fact]
    public async Task A_write_during_a_4xx_is_seen_by_the_snapshot_and_the_recorder_and_reported()
    {
        var storage = await Azurite.IsolatedConnectionStringAsync("fuzz-check");
        var recorder = new StorageWriteRecorder();
        var options = new TableClientOptions();
        options.AddPolicy(recorder, Azure.Core.HttpPipelinePosition.PerCall);
        var tables = new TableServiceClient(storage, options);
        var queues = new QueueServiceClient(storage);
        foreach (var name in ReviewHubStorage.Catalog.Tables)
        {
            await tables.CreateTableIfNotExistsAsync(name);
        }
        foreach (var name in ReviewHubStorage.Catalog.Queues.SelectMany(q => new[] { q, PoisonQueues.NameFor(q) }))
        {
            await queues.GetQueueClient(name).CreateIfNotExistsAsync();
        }
        var before = await StorageSnapshot.TakeAsync(tables, queues, null);
        var writes = recorder.Writes;

        await tables.GetTableClient(AppTables.Apps).AddEntityAsync(new TableEntity(Ids.New(), Ids.New()));
        var after = await StorageSnapshot.TakeAsync(tables, queues, null);
        var result = new FuzzResult();
        await ContractFuzzer.CheckAsync(result, Request, Problem(404), before, after);

        Assert.True(recorder.Writes > writes);
        Assert.NotEmpty(before.Diff(after));
        Assert.Equal(1, result.WritesOn4xx);
        Assert.False(result.Clean);
    }

    [Fact]
    public async Task A_5xx_and_an_undocumented_status_are_reported_and_a_documented_4xx_is_not()
    {
        var nothing = await EmptySnapshotAsync();
        var result = new FuzzResult();

        await ContractFuzzer.CheckAsync(result, Request, Problem(404), nothing, nothing);
        Assert.True(result.Clean, string.Join("\n", result.Findings));

        await ContractFuzzer.CheckAsync(result, Request, Problem(500), nothing, nothing);
        await ContractFuzzer.CheckAsync(result, Request, Problem(418), nothing, nothing);

        Assert.Equal(1, result.Status5xx);
        Assert.Equal(2, result.Undocumented); // GetApp documents neither 500 nor 418
        Assert.Equal(3, result.Requests);
        Assert.Equal("RESULT requests=3 status_5xx=1 writes_on_4xx=0 undocumented_responses=2", result.ResultLine);
    }

    private static async Task<StorageSnapshot> EmptySnapshotAsync()
    {
        var storage = await Azurite.IsolatedConnectionStringAsync("fuzz-check-empty");
        var queues = new QueueServiceClient(storage);
        var tables = new TableServiceClient(storage);
        foreach (var name in ReviewHubStorage.Catalog.Tables)
        {
            await tables.CreateTableIfNotExistsAsync(name);
        }
        foreach (var name in ReviewHubStorage.Catalog.Queues.SelectMany(q => new[] { q, PoisonQueues.NameFor(q) }))
        {
            await queues.GetQueueClient(name).CreateIfNotExistsAsync();
        }
        return await StorageSnapshot.TakeAsync(tables, queues, null);
    }
}
