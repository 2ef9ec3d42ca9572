using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using ReviewHub.Paging;

namespace ReviewHub.Storage;

/// <summary>
/// Every table query of the app goes through here. The SDK follows continuation tokens by itself, and would follow a
/// token it already followed for ever; these wrappers record each token in a <see cref="CursorTrail"/> before the next
/// page is requested, so a query either reaches its last page or stops with a <see cref="PagingLoopException"/>.
/// </summary>
internal static class TablePaging
{
    public static async IAsyncEnumerable<Page<T>> QueryPagesAsync<T>(
        this TableClient table, string? filter, int? maxPerPage = null, IEnumerable<string>? select = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        var trail = new CursorTrail($"The query '{filter}' of table {table.Name}");
        await foreach (var page in table.QueryAsync<T>(filter, maxPerPage, select, cancellationToken).AsPages())
        {
            yield return page;
            if (page.ContinuationToken is { } next)
            {
                trail.Follow(next); // before the SDK asks for the page behind it
            }
        }
    }

    public static async IAsyncEnumerable<T> QueryRowsAsync<T>(
        this TableClient table, string? filter, int? maxPerPage = null, IEnumerable<string>? select = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        await foreach (var page in table.QueryPagesAsync<T>(filter, maxPerPage, select, cancellationToken))
        {
            foreach (var row in page.Values)
            {
                yield return row;
            }
        }
    }
}
