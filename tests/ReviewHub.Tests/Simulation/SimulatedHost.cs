using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// What a simulated host is built from: storage, app settings, the simulated clock and the transport's faults.
/// </summary>
internal sealed record SimulatedHostOptions(
    string Storage, IReadOnlyDictionary<string, string?> Settings, FakeTimeProvider Clock, QueueFaultRates Faults,
    int Seed, int Parallelism);

/// <summary>What the host did: invocations and failures per function, timer runs that threw, clock nudges.</summary>
internal sealed class HostCounters
{
    public ConcurrentDictionary<string, int> Invocations { get; } = new();
    public ConcurrentDictionary<string, int> Failures { get; } = new();

    /// <summary>Real time spent in each function.</summary>
    public ConcurrentDictionary<string, TimeSpan> Elapsed { get; } = new();

    /// <summary>The first failure of each function, for the report.</summary>
    public ConcurrentDictionary<string, string> FirstFailure { get; } = new();
    public ConcurrentQueue<string> TimerFailures { get; } = new();

    /// <summary>
    /// Times the clock was moved because all that ran waited on it (see <see cref="SimulatedHost"/>), by what ran:
    /// queue handlers, timers, a step, or a setup the scenario waited for.
    /// </summary>
    public ConcurrentDictionary<string, int> Nudges { get; } = new();

    internal void Count(string function, Exception? failure, TimeSpan elapsed)
    {
        Invocations.AddOrUpdate(function, 1, (_, n) => n + 1);
        Elapsed.AddOrUpdate(function, elapsed, (_, total) => total + elapsed);
        if (failure is not null)
        {
            Failures.AddOrUpdate(function, 1, (_, n) => n + 1);
            FirstFailure.TryAdd(function, $"{failure.GetType().Name}: {failure.Message.Split('\n')[0]}");
        }
    }
}

/// <summary>
/// Plays the Functions host around the app's real registrations (<c>AddReviewHub</c>) with three replacements only: the
/// clock (a <see cref="FakeTimeProvider"/>), the queue transport (<see cref="SimulatedQueues"/>) and the Durable client
/// (the in-process test host's, whose orchestrations and activities are the app's, registered from functions.metadata).
/// HTTP functions go through <see cref="FunctionHost"/>. Time moves from event to event: every timer occurrence
/// (schedules from functions.metadata) and every moment a queued message becomes visible, so a 10-minute backoff takes
/// 10 simulated minutes and no real time. At each moment the visible messages are processed, a few at a time as the
/// host's batches do, until none is visible. A handler that awaits the simulated clock itself would wait forever: when
/// every running handler has made no progress for 20 real seconds the clock is nudged forward (1 s, doubling up to a
/// minute) and the nudge is counted; the simulation's settings keep in-handler waits at zero, so a healthy run needs
/// none.
/// </summary>
internal sealed class SimulatedHost : IAsyncDisposable
{
    // Generous: a healthy run never nudges, and on a loaded 2-core machine one handler can take seconds of real time
    // without waiting on the clock; a nudge there would move time under it and break the books.
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MaxNudge = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long (real time) work outside the queues may take; an orchestration step takes well under a second.
    /// </summary>
    public static readonly TimeSpan WaitGuard = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, FunctionDescription> queueTriggers;
    private readonly Dictionary<string, DateTimeOffset> nextFire = new(StringComparer.Ordinal);
    private readonly FunctionInvoker invoker;
    private readonly HostQueueSettings queueSettings;
    private readonly int parallelism;

    private SimulatedHost(
        ServiceProvider services, IConfiguration configuration, FakeTimeProvider clock, SimulatedQueues queues,
        DurableTaskTestHost durable, SimulationLog log, HostQueueSettings queueSettings, int parallelism)
    {
        Services = services;
        Configuration = configuration;
        Clock = clock;
        Queues = queues;
        Durable = durable;
        Log = log;
        this.queueSettings = queueSettings;
        this.parallelism = parallelism;
        invoker = new FunctionInvoker(services);
        Http = new FunctionHost(services);
        Timers = TimerFunction.FromMetadata(configuration);
        foreach (var timer in Timers)
        {
            nextFire[timer.Name] = timer.NextAfter(clock.GetUtcNow());
        }
        queueTriggers = FunctionMetadata.All.Where(f => f.Trigger.Type == "queueTrigger")
            .ToDictionary(f => f.Trigger.QueueName!, StringComparer.Ordinal);
    }

    public ServiceProvider Services { get; }
    public IConfiguration Configuration { get; }
    public FakeTimeProvider Clock { get; }
    public SimulatedQueues Queues { get; }
    public DurableTaskTestHost Durable { get; }
    public SimulationLog Log { get; }
    public FunctionHost Http { get; }
    public IReadOnlyList<TimerFunction> Timers { get; }
    public HostCounters Counters { get; } = new();

    public DateTimeOffset Now => Clock.GetUtcNow();

    public static async Task<SimulatedHost> StartAsync(SimulatedHostOptions options)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(options.Settings).Build();
        var log = new SimulationLog(options.Clock);
        var queueSettings = HostQueueSettings.Read();
        var queues = new SimulatedQueues(options.Clock, queueSettings, options.Faults, options.Seed);
        FunctionInvoker? invoker = null;
        var durable = await DurableTaskTestHost.StartAsync(
            registry => DurableFunctions.Register(registry, () => invoker!),
            new DurableTaskTestHostOptions
            {
                LoggerFactory = LoggerFactory.Create(logging =>
                    logging.SetMinimumLevel(LogLevel.Warning).AddProvider(log)),
            });

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddProvider(log));
        services.AddMvcCore();
        services.AddReviewHub(configuration);
        services.RemoveAll<TimeProvider>().AddSingleton<TimeProvider>(options.Clock);
        services.RemoveAll<IMessageQueue>().AddSingleton<IMessageQueue>(queues);
        services.RemoveAll<DurableTaskClient>().AddSingleton(durable.Client);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        await provider.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var host = new SimulatedHost(provider, configuration, options.Clock, queues, durable, log, queueSettings,
            options.Parallelism);
        invoker = host.invoker;
        return host;
    }

    /// <summary>
    /// Runs every event before <paramref name="until"/> in time order (timer occurrences, messages becoming visible,
    /// and all they cause), then sets the clock to <paramref name="until"/> without firing what is due at that instant.
    /// </summary>
    public async Task RunUntilAsync(DateTimeOffset until)
    {
        while (true)
        {
            await DrainAsync();
            var next = NextEvent();
            if (next >= until)
            {
                break;
            }
            if (next > Now)
            {
                Clock.SetUtcNow(next);
            }
            await FireDueTimersAsync();
        }
        if (until > Now)
        {
            Clock.SetUtcNow(until);
        }
    }

    /// <summary>
    /// At the current instant: fires the timers due now, then processes visible messages until none is; <paramref
    /// name="alongside"/> (e.g. a customer's request) runs at the same time as that work, to race it.
    /// </summary>
    public async Task StepAsync(Func<Task>? alongside = null)
    {
        await FireDueTimersAsync();
        await WaitAsync(Task.WhenAll(DrainAsync(), alongside?.Invoke() ?? Task.CompletedTask), "a step");
        await DrainAsync();
    }

    /// <summary>
    /// Waits for work outside the queues (an orchestration), nudging the clock if it waits on it; fails after a
    /// real-time guard.
    /// </summary>
    public async Task<T> WaitAsync<T>(Task<T> task, string what)
    {
        await WaitAsync((Task)task, what);
        return await task;
    }

    public async Task WaitAsync(Task task, string what)
    {
        var guard = Task.Delay(WaitGuard);
        var nudge = TimeSpan.FromSeconds(1);
        while (!task.IsCompleted)
        {
            var woke = await Task.WhenAny(task, Task.Delay(StallTimeout), guard);
            if (woke == guard)
            {
                throw new TimeoutException(
                    $"The simulation waited {WaitGuard.TotalSeconds} real seconds for {what} at {Now:O}.");
            }
            if (woke != task)
            {
                nudge = Nudge(nudge, what);
            }
        }
        await task;
    }

    /// <summary>
    /// Processes every visible message, <c>parallelism</c> at a time, until none is visible and none is running.
    /// </summary>
    public async Task DrainAsync()
    {
        var running = new List<Task>();
        var nudge = TimeSpan.FromSeconds(1);
        while (true)
        {
            while (running.Count < parallelism && Queues.TryTake() is { } message)
            {
                running.Add(ProcessAsync(message));
            }
            if (running.Count == 0)
            {
                return;
            }
            var any = Task.WhenAny(running);
            if (await Task.WhenAny(any, Task.Delay(StallTimeout)) != any)
            {
                nudge = Nudge(nudge, "queue handlers");
                continue;
            }
            running.Remove(await any);
            nudge = TimeSpan.FromSeconds(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Durable.DisposeAsync();
        await Services.DisposeAsync();
    }

    private TimeSpan Nudge(TimeSpan nudge, string waiting)
    {
        Clock.Advance(nudge);
        Counters.Nudges.AddOrUpdate(waiting, 1, (_, n) => n + 1);
        return nudge * 2 > MaxNudge ? MaxNudge : nudge * 2;
    }

    private DateTimeOffset NextEvent()
    {
        var timer = nextFire.Values.Min();
        return Queues.NextVisibleAt() is { } visible && visible < timer ? visible : timer;
    }

    /// <summary>
    /// Runs every timer whose occurrence has come, together (timers are independent functions), once per occurrence.
    /// </summary>
    private async Task FireDueTimersAsync()
    {
        var now = Now;
        var due = Timers.Where(t => nextFire[t.Name] <= now).ToList();
        foreach (var timer in due)
        {
            nextFire[timer.Name] = timer.NextAfter(now);
        }
        if (due.Count > 0)
        {
            await WaitAsync(Task.WhenAll(due.Select(FireAsync)), "timers");
        }
    }

    private async Task FireAsync(TimerFunction timer)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await invoker.InvokeTimerAsync(timer.Function, CancellationToken.None);
            Counters.Count(timer.Name, null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex)
        {
            // The host logs a failed timer run and fires again at the next occurrence; there is no retry.
            Counters.Count(timer.Name, ex, Stopwatch.GetElapsedTime(started));
            Counters.TimerFailures.Enqueue(
                $"{Now:MM-dd HH:mm} {timer.Name}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
        }
    }

    private async Task ProcessAsync(SimulatedMessage message)
    {
        var started = Stopwatch.GetTimestamp();
        var function = queueTriggers.GetValueOrDefault(message.Queue);
        try
        {
            if (function is null)
            {
                throw new InvalidOperationException($"No function is triggered by queue {message.Queue}.");
            }
            await invoker.InvokeQueueAsync(function, Decode(message), CancellationToken.None);
            Queues.Complete(message);
            Counters.Count(function.Name, null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex)
        {
            Queues.Fail(message, ex);
            Counters.Count(function?.Name ?? message.Queue, ex, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The message text as the trigger hands it to the worker, per host.json's messageEncoding.</summary>
    private string Decode(SimulatedMessage message) =>
        queueSettings.MessageEncoding.Equals("base64", StringComparison.OrdinalIgnoreCase)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(message.Body))
            : message.Body;
}
