using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Replies;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Replies;

/// <summary>
/// One moderation run reads a bounded number of due index entries; the rest are taken by the next runs.
/// </summary>
public sealed class ModerationBoundTests
{
    [Fact]
    public async Task A_run_checks_at_most_its_limit_and_the_next_run_takes_the_entries_left_due()
    {
        // The timer scans the in-flight index of every app: this class gets its own storage.
        var storage = await Azurite.IsolatedConnectionStringAsync("moderation-bound");
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
            ["Replies:ModerationMaxChecksPerRun"] = "2",
        });
        var pending = app.Get<TableServiceClient>().GetTableClient(ReplyTables.ReplyPending);
        var appId = Ids.New();
        var now = DateTimeOffset.UtcNow;
        foreach (var review in new[] { "r1", "r2", "r3" })
        {
            // Entries whose reply is gone: a check only drops them from the index.
            await pending.UpsertEntityAsync(new PendingReplyEntity
            {
                PartitionKey = appId, RowKey = review, AccountId = "account", Version = 1,
                SentAt = now.AddHours(-1), NextCheckAt = now.AddMinutes(-1),
            });
        }
        var tracker = ActivatorUtilities.CreateInstance<ReplyModerationTracker>(app.Services);

        var first = await tracker.CheckAsync(CancellationToken.None);
        var second = await tracker.CheckAsync(CancellationToken.None);

        Assert.Equal((2, 1), (first.Checked, second.Checked));
        Assert.Empty(pending.Query<TableEntity>(e => e.PartitionKey == appId).ToList());
    }
}
