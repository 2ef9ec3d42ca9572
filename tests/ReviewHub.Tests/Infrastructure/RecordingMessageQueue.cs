using System.Collections.Concurrent;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>Forwards to the real storage queue and remembers what this test app sent, so parallel tests do not see each
/// other's messages.</summary>
internal sealed class RecordingMessageQueue(IMessageQueue inner) : IMessageQueue
{
    private readonly ConcurrentQueue<(string Queue, object? Message, TimeSpan? Delay)> sent = new();
    private readonly ConcurrentDictionary<string, int> failures = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="times"/> sends to the queue fail like a storage outage (503).</summary>
    public void Fail(string queueName, int times) => failures[queueName] = times;

    public async Task SendAsync<TMessage>(string queueName, TMessage message, TimeSpan? visibilityDelay = null,
        CancellationToken cancellationToken = default)
    {
        if (failures.TryGetValue(queueName, out var left) && left > 0 && failures.TryUpdate(queueName, left - 1, left))
        {
            throw new Azure.RequestFailedException(503, "The server is busy (injected by the test).");
        }
        await inner.SendAsync(queueName, message, visibilityDelay, cancellationToken);
        sent.Enqueue((queueName, message, visibilityDelay));
    }

    /// <summary>Messages sent to any queue since the start (or since <see cref="Take{T}"/> took some).</summary>
    public int SentCount => sent.Count;

    public IReadOnlyList<T> Sent<T>(string queueName) =>
        sent.Where(s => s.Queue == queueName).Select(s => s.Message).OfType<T>().ToList();

    /// <summary>Messages of <typeparamref name="T"/> sent to a queue, with their visibility delays.</summary>
    public IReadOnlyList<(T Message, TimeSpan? Delay)> SentWithDelays<T>(string queueName) =>
        sent.Where(s => s.Queue == queueName && s.Message is T).Select(s => ((T)s.Message!, s.Delay)).ToList();

    /// <summary>Returns and forgets what was sent to a queue: the test then plays the queue trigger with these
    /// messages.</summary>
    public IReadOnlyList<T> Take<T>(string queueName)
    {
        var taken = Sent<T>(queueName);
        var keep = sent.Where(s => s.Queue != queueName || s.Message is not T).ToList();
        sent.Clear();
        foreach (var entry in keep)
        {
            sent.Enqueue(entry);
        }
        return taken;
    }
}
