namespace ReviewHub.Tests.Infrastructure;

/// <summary>Polls a read, as the SPA polls a status, until a condition holds.</summary>
internal static class Polling
{
    /// <summary>The first value of <paramref name="read"/> for which <paramref name="done"/> holds; throws after
    /// 90 s (a healthy run takes a second; a loaded 2-core machine can be slow).</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            await Task.Delay(50, guard.Token);
        }
    }
}
