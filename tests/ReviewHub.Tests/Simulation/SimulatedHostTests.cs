using ReviewHub.Reviews;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Apps;
using ReviewHub.Integrations;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// The month's harness plays the Functions host faithfully: queue semantics from host.json, timers from
/// functions.metadata.
/// </summary>
public sealed class SimulatedHostTests
{
    private static readonly DateTimeOffset Start = new(2031, 3, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly HostQueueSettings HostJson = HostQueueSettings.Read();

    [Fact]
    public void Host_json_says_five_dequeues_thirty_seconds_apart_and_base64()
    {
        Assert.Equal(new HostQueueSettings(5, TimeSpan.FromSeconds(30), "base64"), HostJson);
    }

    [Fact]
    public void A_failing_message_comes_back_after_the_visibility_timeout_and_is_poisoned_on_its_last_dequeue()
    {
        var clock = new FakeTimeProvider(Start);
        var queues = new SimulatedQueues(clock, HostJson, QueueFaultRates.None, seed: 1);
        queues.SendAsync("work", new AppRemoval("a", "b"), TimeSpan.FromMinutes(10));

        Assert.Null(queues.TryTake());
        Assert.Equal(Start.AddMinutes(10), queues.NextVisibleAt());
        clock.Advance(TimeSpan.FromMinutes(10));
        for (var dequeue = 1; dequeue <= HostJson.MaxDequeueCount; dequeue++)
        {
            var message = queues.TryTake();
            Assert.NotNull(message);
            Assert.Equal(dequeue, message.DequeueCount);
            Assert.Equal("""{"accountId":"a","appId":"b"}""", message.Json);
            queues.Fail(message, new InvalidOperationException("down"));
            Assert.Null(queues.TryTake()); // invisible until the visibility timeout has passed
            clock.Advance(HostJson.VisibilityTimeout);
        }

        Assert.Equal(0, queues.Pending);
        Assert.Equal(["""{"accountId":"a","appId":"b"}"""], queues.PoisonMessages("work"));
        var poisoned = Assert.Single(queues.HostPoisoned);
        Assert.Equal((5, "InvalidOperationException: down"), (poisoned.DequeueCount, poisoned.Error));
    }

    [Fact]
    public void Every_copy_of_a_duplicated_or_redelivered_message_is_delivered()
    {
        var clock = new FakeTimeProvider(Start);
        var queues = new SimulatedQueues(clock, HostJson, new QueueFaultRates(Duplicate: 1, Redelivery: 1), seed: 1);
        queues.SendAsync("work", new AppRemoval("a", "b"));

        var first = queues.TryTake()!;
        var duplicate = queues.TryTake()!;
        Assert.NotEqual(first.Id, duplicate.Id);
        queues.Complete(first);
        queues.Complete(duplicate);
        Assert.Null(queues.TryTake());
        clock.Advance(SimulatedQueues.ProcessingLease);
        Assert.Equal(2, queues.TryTake()!.DequeueCount); // the delete was lost: the same message, dequeued again
        Assert.Equal((1, 1, 2), (queues.Duplicated, queues.Sent, queues.Redelivered));
    }

    [Fact]
    public void Injected_faults_depend_on_the_seed_and_the_message_not_on_the_order_of_sends()
    {
        int Duplicated(int seed, IEnumerable<int> order)
        {
            var queues = new SimulatedQueues(new FakeTimeProvider(Start), HostJson, new QueueFaultRates(0.3, 0), seed);
            foreach (var i in order)
            {
                queues.SendAsync("work", new AppRemoval("a", $"{i}"));
            }
            return queues.Duplicated;
        }

        var forward = Duplicated(7, Enumerable.Range(0, 200));
        Assert.Equal(forward, Duplicated(7, Enumerable.Range(0, 200).Reverse()));
        Assert.InRange(forward, 30, 90);
    }

    [Fact]
    public async Task Messages_the_app_sends_to_a_poison_queue_stay_there_and_delays_follow_queue_storage_limits()
    {
        var queues = new SimulatedQueues(new FakeTimeProvider(Start), HostJson, new QueueFaultRates(1, 1), seed: 1);
        await queues.SendAsync(PoisonQueues.NameFor(ReviewQueues.ReviewFetches), new AppRemoval("a", "b"));

        Assert.Null(queues.TryTake());
        Assert.Single(queues.PoisonMessages(ReviewQueues.ReviewFetches));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => queues.SendAsync("work", new AppRemoval("a", "b"), TimeSpan.FromDays(8)));
    }

    [Fact]
    public void Timers_and_their_schedules_come_from_functions_metadata()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ReviewFetchSchedule"] = "0 0 * * * *" }).Build();

        var timers = TimerFunction.FromMetadata(configuration);

        Assert.Equal(
            [
                "EnqueueDueReviewFetches", "MeasureOperatorWork", "MeasurePoisonQueues", "QueueDailyHealthChecks",
                "QueueDailyPlayConnectionChecks", "TrackReplyModeration",
            ],
            timers.Select(t => t.Name));
        var at = Start.AddMinutes(3).AddSeconds(10);
        Assert.Equal(
            [
                Start.AddHours(1), Start.AddMinutes(15), Start.AddMinutes(5), Start.AddHours(5),
                Start.AddHours(5.5), Start.AddMinutes(5),
            ],
            timers.Select(t => t.NextAfter(at)));
        Assert.Throws<InvalidOperationException>(() => TimerFunction.FromMetadata(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public async Task The_host_fires_timers_on_schedule_binds_messages_like_the_worker_and_poisons_what_cannot_bind()
    {
        var clock = new FakeTimeProvider(Start);
        await using var fakes = new SimulationFakes();
        await fakes.StartAsync(clock);
        var storage = await Azurite.ConnectionStringAsync();
        var secrets = Path.Combine(Path.GetTempPath(), "reviewhub-test-secrets", Guid.NewGuid().ToString("N"));
        await using var host = await SimulatedHost.StartAsync(new SimulatedHostOptions(
            storage, MonthSimulation.Settings(storage, secrets, fakes), clock, QueueFaultRates.None, Seed: 1,
            Parallelism: 4));

        // camelCase JSON binds to the record (a purge of an app that is not a tombstone: skipped, succeeds).
        await host.Queues.SendAsync(AppQueues.AppRemovals, new AppRemoval(Ids.New(), Ids.New()));
        // A JSON string cannot bind to AppRemoval: every dequeue fails, the fifth goes to the poison queue.
        await host.Queues.SendAsync(AppQueues.AppRemovals, "not a removal");
        await host.RunUntilAsync(Start.AddHours(1));
        await host.StepAsync();

        // Every timer ran as often as its schedule came due in the hour: 12 for five-minute ones, 4 for the
        // quarter-hourly one, none for the daily one.
        Assert.All(host.Timers, t => Assert.Equal(
            Occurrences(t, Start, Start.AddHours(1)), host.Counters.Invocations.GetValueOrDefault(t.Name)));
        Assert.Equal(4, host.Counters.Invocations[nameof(OperatorWorkFunctions.MeasureOperatorWork)]);
        Assert.Equal((6, 5), (host.Counters.Invocations[nameof(AppRemovalFunctions.PurgeRemovedApp)],
            host.Counters.Failures[nameof(AppRemovalFunctions.PurgeRemovedApp)]));
        var poisoned = Assert.Single(host.Queues.HostPoisoned);
        Assert.Equal(("\"not a removal\"", 5), (poisoned.Json, poisoned.DequeueCount));
        Assert.Empty(host.Counters.Nudges);
    }

    /// <summary>How often a timer's schedule comes due in (from, to].</summary>
    private static int Occurrences(TimerFunction timer, DateTimeOffset from, DateTimeOffset to)
    {
        var count = 0;
        for (var at = timer.NextAfter(from); at <= to; at = timer.NextAfter(at))
        {
            count++;
        }
        return count;
    }
}
