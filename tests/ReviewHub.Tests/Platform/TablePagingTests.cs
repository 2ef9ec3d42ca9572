using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using ReviewHub.Paging;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Platform;

/// <summary>
/// Every table query pages through <see cref="TablePaging"/>, which never follows a continuation token twice.
/// </summary>
public sealed class TablePagingTests
{
    /// <summary>
    /// Answers every query page with the continuation token of the first page: a server sending the reader back.
    /// </summary>
    private sealed class RepeatingContinuation : HttpPipelinePolicy
    {
        private string? partitionKey;
        private string? rowKey;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("the tests use the async API");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            var isQuery = message.Request.Method == RequestMethod.Get
                && message.Request.Uri.ToString().Contains("()", StringComparison.Ordinal);
            if (!isQuery)
            {
                return;
            }
            var headers = message.Response.Headers;
            if (partitionKey is null && headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var pk)
                && headers.TryGetValue("x-ms-continuation-NextRowKey", out var rk))
            {
                (partitionKey, rowKey) = (pk, rk);
            }
            if (partitionKey is not null)
            {
                message.Response = new RepeatedResponse(message.Response, partitionKey, rowKey!);
            }
        }
    }

    /// <summary>The real response with the first page's continuation headers, whatever the server said.</summary>
    private sealed class RepeatedResponse(Response inner, string partitionKey, string rowKey) : Response
    {
        public override int Status => inner.Status;
        public override string ReasonPhrase => inner.ReasonPhrase;
        public override Stream? ContentStream { get => inner.ContentStream; set => inner.ContentStream = value; }
        public override string ClientRequestId { get => inner.ClientRequestId; set => inner.ClientRequestId = value; }
        public override void Dispose() => inner.Dispose();
        protected override bool ContainsHeader(string name) => IsContinuation(name) || inner.Headers.Contains(name);
        protected override IEnumerable<HttpHeader> EnumerateHeaders() =>
            inner.Headers.Where(h => !IsContinuation(h.Name))
                .Append(new HttpHeader("x-ms-continuation-NextPartitionKey", partitionKey))
                .Append(new HttpHeader("x-ms-continuation-NextRowKey", rowKey));
        protected override bool TryGetHeader(string name, out string value)
        {
            if (IsContinuation(name))
            {
                value = name.EndsWith("PartitionKey", StringComparison.OrdinalIgnoreCase) ? partitionKey : rowKey;
                return true;
            }
            return inner.Headers.TryGetValue(name, out value!);
        }
        protected override bool TryGetHeaderValues(string name, out IEnumerable<string> values)
        {
            if (TryGetHeader(name, out var value))
            {
                values = [value];
                return true;
            }
            values = [];
            return false;
        }

        private static bool IsContinuation(string name) =>
            name.StartsWith("x-ms-continuation-", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<TableClient> LoopingTableAsync(int rows)
    {
        var connection = await Azurite.ConnectionStringAsync();
        var name = "paging" + Guid.NewGuid().ToString("N")[..12];
        var options = new TableClientOptions();
        options.AddPolicy(new RepeatingContinuation(), HttpPipelinePosition.PerCall);
        await new TableClient(connection, name).CreateIfNotExistsAsync();
        var seed = new TableClient(connection, name);
        foreach (var chunk in Enumerable.Range(0, rows).Chunk(TablePartitions.MaxBatch))
        {
            await seed.SubmitTransactionAsync(chunk.Select(i =>
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("app", $"row{i:D4}"))));
        }
        return new TableClient(connection, name, options);
    }

    [Fact]
    public async Task A_partition_purge_sent_back_to_a_continuation_token_it_followed_stops_instead_of_looping()
    {
        var table = await LoopingTableAsync(rows: 250);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var stopped = await Assert.ThrowsAsync<PagingLoopException>(
            () => table.DeletePartitionAsync("app", timeout.Token));

        Assert.Contains($"of table {table.Name}", stopped.Message);
        Assert.Contains("already read", stopped.Message);
    }

    [Fact]
    public async Task A_query_sent_back_to_a_continuation_token_it_followed_stops_after_reading_each_page_once()
    {
        var table = await LoopingTableAsync(rows: 250);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var rows = new List<string>();

        await Assert.ThrowsAsync<PagingLoopException>(async () =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"app"}");
            await foreach (var row in table.QueryRowsAsync<TableEntity>(filter, 100, cancellationToken: timeout.Token))
            {
                rows.Add(row.RowKey);
            }
        });

        Assert.Equal(200, rows.Count); // the first page, then the page behind the token once
        Assert.Equal(rows.Count, rows.Distinct().Count());
    }

    [Fact]
    public void Every_table_query_of_the_app_pages_through_TablePaging()
    {
        var functions = Path.Combine(TestPaths.RepositoryRoot, "functions");
        var offenders = Directory.EnumerateFiles(functions, "*.cs", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) != "TablePaging.cs")
            .Where(file => File.ReadAllText(file).Contains(".QueryAsync<", StringComparison.Ordinal)
                || File.ReadAllText(file).Contains(".Query<", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(offenders);
    }
}
