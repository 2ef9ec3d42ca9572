namespace ReviewHub.Delivery;

/// <summary>Spaces messages to the same Slack channel by a minimum interval (per worker instance; Slack's 429s cover
/// the rest).</summary>
internal sealed class SlackPacer(TimeProvider clock)
{
    private readonly Dictionary<string, DateTimeOffset> nextSlot = new(StringComparer.Ordinal);

    /// <summary>Reserves the next slot for <paramref name="key"/> and returns how long to wait for it.</summary>
    public TimeSpan Reserve(string key, TimeSpan interval)
    {
        var now = clock.GetUtcNow();
        lock (nextSlot)
        {
            var slot = nextSlot.TryGetValue(key, out var next) && next > now ? next : now;
            nextSlot[key] = slot + interval;
            return slot - now;
        }
    }
}
