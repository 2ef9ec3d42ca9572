using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using ReviewHub.Storage;

namespace ReviewHub.Operations;

/// <summary>
/// Moves messages from a queue's poison queue back onto the queue, so they run again after an outage is over. Safe for
/// delivery because the ledger lets each (review, route) out once: a replay sends only what was not delivered. Messages
/// go back unchanged: handlers that count their own attempts (reply sends, review fetches) write the poison copy with
/// the counter reset, so a replayed message gets a fresh retry budget. The loop is bounded three ways: at most
/// <c>maxMessages</c>; only messages that were in the poison queue when the replay began (a replayed message that fails
/// again at once comes back as a new message: inserted after the replay began, or with the body of a message replayed
/// already; it is left for the next replay instead of going round and round); and at most <see cref="TimeBudget"/>,
/// well inside the time the received messages stay hidden, so none reappears and is counted twice.
/// </summary>
internal sealed class PoisonReplay(
    QueueServiceClient queues, IMessageQueue queue, TimeProvider clock, ILogger<PoisonReplay> logger)
{
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(1);

    /// <summary>How long one replay keeps receiving; the operator calls again for the rest.</summary>
    public static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(30);

    public async Task<ReplayPoisonResponse> ReplayAsync(string queueName, string? appId, int maxMessages,
        CancellationToken cancellationToken)
    {
        var poison = queues.GetQueueClient(PoisonQueues.NameFor(queueName));
        var skipped = new List<QueueMessage>();
        var replayedBodies = new HashSet<string>(StringComparer.Ordinal);
        var replayed = 0;
        var started = clock.GetTimestamp();
        DateTimeOffset? began = null;
        while (replayed + skipped.Count < maxMessages && clock.GetElapsedTime(started) < TimeBudget)
        {
            var batch = Math.Min(32, maxMessages - replayed - skipped.Count);
            var response = await poison.ReceiveMessagesAsync(batch, Hold, cancellationToken);
            // The storage service's clock, like the messages' insertion times (ours may be skewed).
            began ??= response.GetRawResponse().Headers.Date;
            var received = response.Value;
            if (received.Length == 0)
            {
                break;
            }
            foreach (var message in received)
            {
                var json = Parse(message.Body);
                if (json is null || (appId is not null && AppIdOf(json.Value) != appId) || message.InsertedOn > began
                    || !replayedBodies.Add(message.Body.ToString()))
                {
                    skipped.Add(message);
                    continue;
                }
                // Send first, then delete: a crash in between replays the message twice, which the ledger absorbs.
                await queue.SendAsync(queueName, json.Value, cancellationToken: cancellationToken);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                replayed++;
            }
        }
        foreach (var message in skipped)
        {
            await poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero,
                cancellationToken: cancellationToken);
        }
        logger.LogInformation("Replayed {Replayed} messages from {Queue} (app filter {AppId})", replayed, poison.Name,
            appId ?? "none");
        return new ReplayPoisonResponse(queueName, replayed, skipped.Count);
    }

    /// <summary>Our queues carry JSON objects; anything else is left in the poison queue for a human to look
    /// at.</summary>
    private static JsonElement? Parse(BinaryData body)
    {
        try
        {
            var json = JsonSerializer.Deserialize<JsonElement>(body);
            return json.ValueKind == JsonValueKind.Object ? json : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? AppIdOf(JsonElement json) =>
        json.TryGetProperty("appId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
}
