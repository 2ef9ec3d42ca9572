using System.Text.Json;
using ReviewHub.Operations;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Platform;

/// <summary>
/// The operators' poison replay is a bounded loop: each message that was in the poison queue goes back at most once.
/// </summary>
public sealed class PoisonReplayTests
{
    /// <summary>
    /// Plays a handler that fails a replayed message again at once: a copy lands back in the poison queue.
    /// </summary>
    private sealed class FailsAgainAtOnce(IMessageQueue inner, string appId) : IMessageQueue
    {
        public async Task SendAsync<TMessage>(string queueName, TMessage message, TimeSpan? visibilityDelay = null,
            CancellationToken cancellationToken = default)
        {
            await inner.SendAsync(queueName, message, visibilityDelay, cancellationToken);
            if (queueName == ReviewQueues.ReviewFetches
                && JsonSerializer.SerializeToElement(message).GetProperty("appId").GetString() == appId)
            {
                await inner.SendAsync(PoisonQueues.NameFor(queueName), message, cancellationToken: cancellationToken);
            }
        }
    }

    [Fact]
    public async Task A_replayed_message_that_fails_again_during_the_replay_is_not_replayed_again_by_it()
    {
        var appId = Ids.New();
        await using var app = await TestApp.StartAsync(configure: s =>
            s.Decorate<IMessageQueue>(inner => new RecordingMessageQueue(new FailsAgainAtOnce(inner, appId))));
        var queue = app.Get<IMessageQueue>();
        foreach (var account in new[] { "a1", "a2", "a3" })
        {
            await queue.SendAsync(PoisonQueues.NameFor(ReviewQueues.ReviewFetches),
                new ReviewFetchRequest(account, appId, 0, "App Store Connect was down"));
        }

        var response = await app.Host.PostAsync($"/api/operators/poison/{ReviewQueues.ReviewFetches}/replay",
            TestTokens.For("operator", isOperator: true), new { appId, maxMessages = 50 });

        Assert.Equal(200, response.Status);
        Assert.Equal(3, response.As<ReplayPoisonResponse>().Replayed);
        Assert.Equal(["a1", "a2", "a3"], app.Queue.Sent<JsonElement>(ReviewQueues.ReviewFetches)
            .Select(m => m.GetProperty("accountId").GetString()).Order());
    }
}
