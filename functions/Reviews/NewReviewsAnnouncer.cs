using ReviewHub.ReplyAutomation;
using System.Security.Cryptography;
using System.Text;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// Hands saved reviews on to delivery (and, unless imported history, to the reply rules) as
/// <see cref="NewReviewsBatch"/> messages of at most 500 ids. Callers add ids only
/// after their rows are saved. The batch id is derived from the app and the ids, so a retried fetch that hands on the
/// same reviews sends the same batch id.
/// </summary>
internal sealed class NewReviewsAnnouncer(IMessageQueue queue, string accountId, string appId, bool backfill)
{
    private readonly List<string> pending = [];

    public int Announced { get; private set; }

    public async Task AddAsync(IEnumerable<string> reviewIds, CancellationToken cancellationToken)
    {
        pending.AddRange(reviewIds);
        while (pending.Count >= NewReviewsBatch.MaxReviewIds)
        {
            await SendAsync(NewReviewsBatch.MaxReviewIds, cancellationToken);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) =>
        pending.Count == 0 ? Task.CompletedTask : SendAsync(pending.Count, cancellationToken);

    private async Task SendAsync(int count, CancellationToken cancellationToken)
    {
        var ids = pending.Take(count).ToList();
        var batchId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{appId}\n{backfill}\n{string.Join('\n', ids)}")))[..32];
        await queue.SendAsync(ReviewQueues.NewReviews, new NewReviewsBatch(accountId, appId, batchId, backfill, ids),
            cancellationToken: cancellationToken);
        if (!backfill)
        {
            // Reply rules see new reviews only; a history import is theirs only when someone asks for recent days.
            await queue.SendAsync(ReplyAutomationQueues.ReplyAutomation,
                new ReplyAutomation.ReplyAutomationWork(accountId, appId, ids), cancellationToken: cancellationToken);
        }
        pending.RemoveRange(0, count);
        Announced += count;
    }
}
