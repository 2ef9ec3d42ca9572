using Azure;
using Azure.Data.Tables;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Platform;

/// <summary>The one partition purge used by every feature's <c>IAppDataPurger</c>.</summary>
public sealed class TablePartitionsTests
{
    private static async Task<T> TableAsync<T>(Func<string, string, T> create, int rows) where T : TableClient
    {
        var table = create(await Azurite.ConnectionStringAsync(), "purge" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        foreach (var chunk in Enumerable.Range(0, rows).Chunk(TablePartitions.MaxBatch))
        {
            await table.SubmitTransactionAsync(chunk.Select(i =>
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("app", $"row{i:D4}"))));
        }
        await table.AddEntityAsync(new TableEntity("other-app", "row"));
        return table;
    }

    private static int Count(TableClient table, string partitionKey) =>
        table.Query<TableEntity>(e => e.PartitionKey == partitionKey, select: ["RowKey"]).Count();

    [Fact]
    public async Task Deletes_a_partition_larger_than_one_transaction_and_nothing_else_and_again_is_a_no_op()
    {
        var table = await TableAsync((cs, name) => new TableClient(cs, name), rows: 250);

        await table.DeletePartitionAsync("app", CancellationToken.None);
        await table.DeletePartitionAsync("app", CancellationToken.None);

        Assert.Equal(0, Count(table, "app"));
        Assert.Equal(1, Count(table, "other-app"));
    }

    [Fact]
    public async Task Tolerates_rows_an_overlapping_purge_deleted_between_reading_and_deleting_them()
    {
        var table = await TableAsync((cs, name) => new OverlappingPurge(cs, name), rows: 250);

        await table.DeletePartitionAsync("app", CancellationToken.None);

        Assert.Equal(3, table.Transactions); // one per page of 100
        Assert.Equal(0, Count(table, "app"));
        Assert.Equal(1, Count(table, "other-app"));
    }

    /// <summary>Plays another purge that deletes the first row of each transaction just before it is
    /// submitted.</summary>
    private sealed class OverlappingPurge(string connectionString, string tableName)
        : TableClient(connectionString, tableName)
    {
        public int Transactions { get; private set; }

        public override async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(
            IEnumerable<TableTransactionAction> transactionActions, CancellationToken cancellationToken = default)
        {
            var actions = transactionActions.ToList();
            if (actions[0].ActionType == TableTransactionActionType.Delete)
            {
                Transactions++;
                await DeleteEntityAsync(actions[0].Entity.PartitionKey, actions[0].Entity.RowKey, ETag.All,
                    cancellationToken);
            }
            return await base.SubmitTransactionAsync(actions, cancellationToken);
        }
    }
}
