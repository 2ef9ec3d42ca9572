using Azure.Data.Tables;
using ReviewHub.Replies;
using ReviewHub.ReplyAutomation;
using ReviewHub.Reviews;
using ReviewHub.Storage;
using ReviewHub.Tests.Replies;

namespace ReviewHub.Tests.ReplyAutomation;

/// <summary>
/// An automatic reply never overwrites a person's reply or App Store Connect's: raced against a person's PUT many
/// times, and checked again by the sender against a response that appeared in App Store Connect after the rule ran.
/// </summary>
public sealed class NeverOverwriteTests
{
    [Fact]
    public async Task A_rule_racing_a_persons_reply_never_replaces_it()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await AutomationSeeds.RuleWithCapAsync(app, world, RuleMode.Post, dailyCap: 1000);
        var runner = app.Get<ReplyAutomationRunner>();
        var store = app.Get<ReplyStore>();
        var ruleWon = 0;

        for (var i = 0; i < 40; i++)
        {
            var reviewId = $"race-{i}";
            await ReplySeeds.ReviewAsync(app, world, reviewId);
            var person = $"Written by a person, round {i}";
            using var start = new SemaphoreSlim(0, 2);
            var rule = Task.Run(async () =>
            {
                await start.WaitAsync();
                return await runner.RunAsync(new ReplyAutomationWork(world.AccountId, world.AppId, [reviewId]),
                    CancellationToken.None);
            });
            var put = Task.Run(async () =>
            {
                await start.WaitAsync();
                // Staggered starts, so the rule sometimes gets there first and sometimes the person does.
                await Task.Delay(TimeSpan.FromMilliseconds(i % 10 * 8));
                return await app.Host.PutAsync(ReplySeeds.ReplyPath(world, reviewId), world.Token,
                    new { body = person });
            });
            start.Release(2);
            var (outcomes, response) = (await rule, await put);

            Assert.True(response.Status == 202, response.ToString());
            var reply = (await store.GetAsync(world.AppId, reviewId, CancellationToken.None))!;
            Assert.Equal(person, reply.Body);
            Assert.Null(reply.RuleId);
            var history = await store.HistoryAsync(world.AppId, reviewId, CancellationToken.None);
            Assert.Equal(person, history[0].Body);
            if (outcomes[reviewId] == RuleOutcome.Posted)
            {
                // The rule got there first: the person's version was applied on top of it, never the other way round.
                ruleWon++;
                Assert.Equal(2, history.Count);
                Assert.NotNull(history[1].RuleId);
            }
            else
            {
                Assert.Equal(RuleOutcome.Answered, outcomes[reviewId]);
                Assert.Single(history);
            }
        }
        // Both orders happened at least once, so both paths were exercised.
        Assert.InRange(ruleWon, 1, 39);
    }

    [Fact]
    public async Task Concurrent_runs_of_the_same_message_write_one_reply_and_spend_one_slot()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.RepliableAsync(app, world);
        await AutomationSeeds.RuleAsync(app, world, RuleMode.Post);
        var runner = app.Get<ReplyAutomationRunner>();

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            runner.RunAsync(new ReplyAutomationWork(world.AccountId, world.AppId, [ReplySeeds.ReviewId]),
                CancellationToken.None))));

        Assert.Equal(1, runs.Count(r => r[ReplySeeds.ReviewId] == RuleOutcome.Posted));
        Assert.Single(await app.Get<ReplyStore>().HistoryAsync(world.AppId, ReplySeeds.ReviewId,
            CancellationToken.None));
        Assert.Single(app.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
        var store = app.Get<ReplyAutomationStore>();
        Assert.Equal(1, await store.UsedAsync(world.AppId, store.Today, CancellationToken.None));
    }

    [Fact]
    public async Task The_sender_does_not_send_an_automatic_reply_once_App_Store_Connect_has_a_response()
    {
        await using var scenario = await ReplyScenario.StartAsync();
        var app = scenario.App;
        await AutomationSeeds.RuleAsync(app, scenario.World, RuleMode.Post);
        var outcomes = await app.Get<ReplyAutomationRunner>().RunAsync(
            new ReplyAutomationWork(scenario.World.AccountId, scenario.World.AppId, [scenario.ReviewId]),
                CancellationToken.None);
        Assert.Equal(RuleOutcome.Posted, outcomes[scenario.ReviewId]);

        // Someone answers in App Store Connect before the sender runs; ingestion records that response on the review.
        await app.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews).UpdateAsync<ReviewEntity>(
            scenario.World.AppId, scenario.ReviewId, r => { r.ResponseId = "written-in-asc"; return true; });
        await scenario.PlayQueueAsync();

        Assert.Empty(scenario.ResponseCalls("POST"));
        var state = await scenario.StateAsync();
        Assert.Equal((ReplyStatus.Failed, ReplyFailure.AnsweredElsewhere), (state.Status, state.FailureCode));
    }

    [Fact]
    public async Task An_automatic_reply_with_no_response_in_App_Store_Connect_is_sent()
    {
        await using var scenario = await ReplyScenario.StartAsync();
        await AutomationSeeds.RuleAsync(scenario.App, scenario.World, RuleMode.Post);
        await scenario.App.Get<ReplyAutomationRunner>().RunAsync(
            new ReplyAutomationWork(scenario.World.AccountId, scenario.World.AppId, [scenario.ReviewId]),
                CancellationToken.None);

        await scenario.PlayQueueAsync();

        Assert.Single(scenario.ResponseCalls("POST"));
        Assert.Equal(ReplyStatus.PendingPublish, (await scenario.StateAsync()).Status);
    }
}
