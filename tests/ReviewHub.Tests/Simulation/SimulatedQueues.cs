using System.Text;
using System.Text.Json;
using ReviewHub.Json;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Simulation;

/// <summary>A message held by <see cref="SimulatedQueues"/>.</summary>
internal sealed class SimulatedMessage
{
    internal SimulatedMessage(long id, string queue, string body, DateTimeOffset insertedAt, DateTimeOffset visibleAt)
    {
        Id = id;
        Queue = queue;
        Body = body;
        InsertedAt = insertedAt;
        VisibleAt = visibleAt;
    }

    public long Id { get; }
    public string Queue { get; }

    /// <summary>
    /// The stored text: base64 of the UTF-8 JSON, as the storage SDK writes it with the app's base64 encoding.
    /// </summary>
    public string Body { get; }

    public DateTimeOffset InsertedAt { get; }
    public DateTimeOffset VisibleAt { get; internal set; }
    public int DequeueCount { get; internal set; }
    internal bool Leased { get; set; }

    public string Json => Encoding.UTF8.GetString(Convert.FromBase64String(Body));
}

/// <summary>
/// A message the host moved to <c>{queue}-poison</c> after its last allowed dequeue failed, with that failure.
/// </summary>
internal sealed record HostPoisoning(string Queue, string Json, int DequeueCount, DateTimeOffset At, string Error);

/// <summary>
/// How often the transport delivers a message twice: a sender's retry (duplicate), or a lost delete (redelivery).
/// </summary>
internal sealed record QueueFaultRates(double Duplicate, double Redelivery)
{
    public static readonly QueueFaultRates None = new(0, 0);
}

/// <summary>
/// Storage queues on the simulated clock, with the Functions host's queue-trigger semantics: a message becomes visible
/// at its send time plus its visibility delay; each dequeue counts; a failed attempt makes it visible again after
/// host.json's <c>visibilityTimeout</c>, and the attempt that reaches <c>maxDequeueCount</c> moves it to
/// <c>{queue}-poison</c> unchanged. At least once, like the real transport: with the given rates a sent message is
/// stored twice, and a processed one comes back after the host's lease as if its delete had been lost (each drawn with
/// <see cref="SeededDraw"/> from the seed, the message's body and how often that body was sent or completed before, so
/// concurrency does not change them). The app's own sends to <c>-poison</c> queues are kept there, never processed. Why
/// queues are simulated while tables are real Azurite: see docs/ingestion.md ("A simulated month").
/// </summary>
internal sealed class SimulatedQueues(TimeProvider clock, HostQueueSettings host, QueueFaultRates faults, int seed)
    : IMessageQueue
{
    /// <summary>
    /// How long a message the host took stays invisible; it reappears after this if its delete is lost.
    /// </summary>
    public static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(10);

    /// <summary>Azure Queue Storage: the longest visibility delay and a message's default time to live.</summary>
    public static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7);

    /// <summary>Azure Queue Storage: the largest message (its base64 text).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private readonly object gate = new();
    private readonly Dictionary<string, List<SimulatedMessage>> queues = new(StringComparer.Ordinal);
    private readonly List<HostPoisoning> hostPoisoned = [];
    private readonly Dictionary<(string Kind, string Body), int> draws = [];
    private long nextId;

    public int Sent { get; private set; }
    public int Duplicated { get; private set; }
    public int Redelivered { get; private set; }
    public int Dequeued { get; private set; }
    public int Expired { get; private set; }

    public Task SendAsync<TMessage>(
        string queueName, TMessage message, TimeSpan? visibilityDelay = null,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var delay = visibilityDelay ?? TimeSpan.Zero;
        if (delay < TimeSpan.Zero || delay > MaxVisibilityDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(visibilityDelay), delay,
                "Queue Storage accepts visibility delays from 0 to 7 days (it answers 400 otherwise).");
        }
        // The bytes StorageMessageQueue sends: ReviewHubJson, then the SDK's base64 encoding.
        var body = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(message, ReviewHubJson.Options));
        if (body.Length > MaxMessageBytes)
        {
            throw new ArgumentException(
                $"A {body.Length}-byte message exceeds Queue Storage's 64 KB limit.", nameof(message));
        }
        lock (gate)
        {
            var visibleAt = clock.GetUtcNow() + delay;
            Add(queueName, body, visibleAt);
            Sent++;
            if (!IsPoison(queueName) && Draw("duplicate", body) < faults.Duplicate)
            {
                Add(queueName, body, visibleAt);
                Duplicated++;
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Messages waiting in the queues triggers read (poison queues excluded), visible or not.</summary>
    public int Pending
    {
        get
        {
            lock (gate)
            {
                return queues.Where(q => !IsPoison(q.Key)).Sum(q => q.Value.Count);
            }
        }
    }

    /// <summary>When the next message becomes visible, or null when none waits.</summary>
    public DateTimeOffset? NextVisibleAt()
    {
        lock (gate)
        {
            return queues.Where(q => !IsPoison(q.Key)).SelectMany(q => q.Value).Where(m => !m.Leased)
                .Select(m => (DateTimeOffset?)m.VisibleAt).Min();
        }
    }

    /// <summary>The JSON of every message in a poison queue (the app's own and the host's).</summary>
    public IReadOnlyList<string> PoisonMessages(string queueName)
    {
        lock (gate)
        {
            return queues.TryGetValue(PoisonQueues.NameFor(queueName), out var list)
                ? list.Select(m => m.Json).ToList()
                : [];
        }
    }

    /// <summary>What the host itself poisoned (handlers that threw on every allowed dequeue).</summary>
    public IReadOnlyList<HostPoisoning> HostPoisoned
    {
        get
        {
            lock (gate)
            {
                return [.. hostPoisoned];
            }
        }
    }

    /// <summary>
    /// Takes the visible message that has waited longest, counting the dequeue, or null when none is visible.
    /// </summary>
    public SimulatedMessage? TryTake()
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            SimulatedMessage? next = null;
            foreach (var (name, list) in queues)
            {
                if (IsPoison(name))
                {
                    continue;
                }
                Expired += list.RemoveAll(m => !m.Leased && m.InsertedAt + MaxVisibilityDelay <= now);
                foreach (var message in list)
                {
                    if (!message.Leased && message.VisibleAt <= now && (next is null || Earlier(message, next)))
                    {
                        next = message;
                    }
                }
            }
            if (next is not null)
            {
                next.Leased = true;
                next.DequeueCount++;
                Dequeued++;
            }
            return next;
        }
    }

    /// <summary>
    /// The handler succeeded: the host deletes the message (unless the delete is lost and it comes back later).
    /// </summary>
    public void Complete(SimulatedMessage message)
    {
        lock (gate)
        {
            if (Draw("redelivery", message.Body) < faults.Redelivery)
            {
                message.Leased = false;
                message.VisibleAt = clock.GetUtcNow() + ProcessingLease;
                Redelivered++;
                return;
            }
            queues[message.Queue].Remove(message);
        }
    }

    /// <summary>
    /// The handler threw: visible again after host.json's visibilityTimeout, or poisoned on the last allowed dequeue.
    /// </summary>
    public void Fail(SimulatedMessage message, Exception error)
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (message.DequeueCount >= host.MaxDequeueCount)
            {
                queues[message.Queue].Remove(message);
                Add(PoisonQueues.NameFor(message.Queue), message.Body, now);
                hostPoisoned.Add(new HostPoisoning(message.Queue, message.Json, message.DequeueCount, now,
                    $"{error.GetType().Name}: {error.Message}"));
                return;
            }
            message.Leased = false;
            message.VisibleAt = now + host.VisibilityTimeout;
        }
    }

    private static bool Earlier(SimulatedMessage a, SimulatedMessage b) =>
        a.VisibleAt < b.VisibleAt || (a.VisibleAt == b.VisibleAt && a.Id < b.Id);

    private double Draw(string kind, string body)
    {
        var count = draws[(kind, body)] = draws.GetValueOrDefault((kind, body)) + 1;
        return SeededDraw.Fraction(seed, kind, body, count);
    }

    private void Add(string queueName, string body, DateTimeOffset visibleAt)
    {
        if (!queues.TryGetValue(queueName, out var list))
        {
            queues[queueName] = list = [];
        }
        list.Add(new SimulatedMessage(++nextId, queueName, body, clock.GetUtcNow(), visibleAt));
    }

    private static bool IsPoison(string queueName) => queueName.EndsWith("-poison", StringComparison.Ordinal);
}
