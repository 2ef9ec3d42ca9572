using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Platform;

public sealed class OptimisticConcurrencyTests
{
    private static async Task<TableClient> TableAsync()
    {
        var table = new TableServiceClient(await Azurite.ConnectionStringAsync()).GetTableClient("ConcurrencyTests");
        await table.CreateIfNotExistsAsync();
        return table;
    }

    [Fact]
    public async Task Concurrent_increments_are_never_lost()
    {
        var table = await TableAsync();
        var key = Ids.New();
        await table.AddEntityAsync(new TableEntity(key, "counter") { ["Value"] = 0 });

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => table.UpdateAsync<TableEntity>(key, "counter", e =>
        {
            e["Value"] = (int)e["Value"] + 1;
            return true;
        }, attempts: 50)));

        Assert.Equal(10, (await table.GetEntityAsync<TableEntity>(key, "counter")).Value.GetInt32("Value"));
    }

    [Fact]
    public async Task A_write_that_keeps_losing_its_race_is_reported_not_forced()
    {
        var table = await TableAsync();
        var key = Ids.New();
        await table.AddEntityAsync(new TableEntity(key, "row") { ["Value"] = "original" });

        var attempts = 0;
        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            table.UpdateAsync<TableEntity>(key, "row", e =>
        {
            attempts++;
            // Someone else writes between our read and our write, every time.
            table.UpsertEntity(new TableEntity(key, "row") { ["Value"] = $"theirs-{attempts}" });
            e["Value"] = "ours";
            return true;
        }, attempts: 3));

        Assert.Equal(3, attempts);
        Assert.Contains("kept changing", ex.Message);
        Assert.Equal("theirs-3", (await table.GetEntityAsync<TableEntity>(key, "row")).Value.GetString("Value"));
    }

    [Fact]
    public async Task Try_add_reports_a_lost_insert_race_as_false()
    {
        var table = await TableAsync();
        var entity = new TableEntity(Ids.New(), "once");

        Assert.True(await table.TryAddAsync(entity));
        Assert.False(await table.TryAddAsync(new TableEntity(entity.PartitionKey, entity.RowKey)));
    }
}
