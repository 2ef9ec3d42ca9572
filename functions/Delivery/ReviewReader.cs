using System.Collections.Concurrent;
using Azure.Data.Tables;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>Loads review rows by id (point reads, a few in parallel); ids without a row are skipped.</summary>
public sealed class ReviewReader(TableServiceClient tables)
{
    private readonly TableClient reviews = tables.GetTableClient(TableNames.Reviews);

    public async Task<IReadOnlyList<ReviewEntity>> GetAsync(string appId, IReadOnlyList<string> reviewIds,
        CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<string, ReviewEntity>();
        await Parallel.ForEachAsync(reviewIds.Distinct(),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (reviewId, token) =>
            {
                var row = await reviews.GetEntityIfExistsAsync<ReviewEntity>(appId, reviewId, cancellationToken: token);
                if (row.HasValue)
                {
                    found[reviewId] = row.Value!;
                }
            });
        // Keep the batch's order (newest first, as ingestion sends it).
        return reviewIds.Distinct().Where(found.ContainsKey).Select(id => found[id]).ToList();
    }
}
