using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Apps;
using ReviewHub.Replies;
using ReviewHub.ReplyAutomation;
using ReviewHub.Reviews;
using ReviewHub.Storage;
using ReviewHub.Tests.Replies;

namespace ReviewHub.Tests.ReplyAutomation;

/// <summary>
/// Rule conditions, order, modes, the daily cap, new reviews only, drafts and their approval, the audit.
/// </summary>
public sealed class RuleTests
{
    private static readonly AppEntity Ios = new() { Platform = Platforms.Ios, Name = "Notes" };

    private static ReviewEntity Review(int rating = 5, string territory = "USA", string? title = "Great",
        string? body = "Love the new sync feature") =>
        new() { Rating = rating, Territory = territory, Title = title, Body = body };

    /// <summary>The cases by name: theory arguments must be public types, and conditions and reviews are the
    /// features' own.</summary>
    private static readonly Dictionary<string, (RuleConditions Conditions, ReviewEntity Review, bool Matches)>
        MatchingCases = new()
        {
            ["no conditions"] = (new(), Review(), true),
            ["rating in"] = (new(Ratings: [4, 5]), Review(5), true),
            ["rating out"] = (new(Ratings: [4, 5]), Review(2), false),
            ["territory in"] = (new(Territories: ["USA", "GBR"]), Review(territory: "GBR"), true),
            ["territory out"] = (new(Territories: ["USA"]), Review(territory: "FRA"), false),
            ["store matches"] = (new(Stores: ["appStore"]), Review(), true),
            ["other store"] = (new(Stores: ["googlePlay"]), Review(), false),
            ["keyword in body, any case"] = (new(KeywordsIncluded: ["SYNC", "crash"]), Review(), true),
            ["keyword in title"] = (new(KeywordsIncluded: ["great"]), Review(), true),
            ["no included keyword"] = (new(KeywordsIncluded: ["crash"]), Review(), false),
            ["excluded keyword"] = (new(KeywordsExcluded: ["refund"]), Review(body: "I want a REFUND"), false),
            ["excluded keyword absent"] = (new(KeywordsExcluded: ["refund"]), Review(), true),
            ["body long enough"] = (new(MinBodyLength: 10), Review(), true),
            ["body too short"] = (new(MinBodyLength: 100), Review(), false),
            ["body too long"] = (new(MaxBodyLength: 5), Review(), false),
            ["no body, min 1"] = (new(MinBodyLength: 1), Review(body: null), false),
            ["all hold"] = (new([5], ["USA"], ["appStore"], ["sync"], ["refund"], 5, 500), Review(), true),
            ["one fails"] = (new([5], ["USA"], ["appStore"], ["sync"], ["feature"], 5, 500), Review(), false),
        };

    public static TheoryData<string> Matching => new(MatchingCases.Keys);

    [Theory]
    [MemberData(nameof(Matching))]
    public void Conditions_match_as_the_table_says(string name)
    {
        var (conditions, review, matches) = MatchingCases[name];
        Assert.Equal(matches, conditions.Matches(review, Ios));
    }

    [Fact]
    public async Task The_first_matching_rule_by_position_posts_through_the_reply_flow()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.RepliableAsync(app, world);
        await AutomationSeeds.RuleAsync(app, world, RuleMode.Draft, new RuleConditions(Ratings: [2]), position: 5,
            name: "later");
        await AutomationSeeds.RuleAsync(app, world, RuleMode.Post, new RuleConditions(Ratings: [1, 2]), position: 1,
            name: "first");
        var first = AutomationSeeds.RuleId(world);

        var outcomes = await RunAsync(app, world, ReplySeeds.ReviewId);

        Assert.Equal(RuleOutcome.Posted, outcomes[ReplySeeds.ReviewId]);
        var reply = (await app.Get<ReplyStore>().GetAsync(world.AppId, ReplySeeds.ReviewId, CancellationToken.None))!;
        Assert.Equal((ReplyStatus.Queued, first, $"rule:{first}"), (reply.StatusValue, reply.RuleId,
            reply.RequestedBy));
        Assert.StartsWith("Hi , thanks for rating Acme Notes 2 stars in USA", reply.Body);
        Assert.Equal(1, Assert.Single(app.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends)).Version);
        var version = Assert.Single(await app.Get<ReplyStore>().HistoryAsync(world.AppId, ReplySeeds.ReviewId,
            CancellationToken.None));
        Assert.Equal((first, "rule"), (version.RuleId, version.Via));
    }

    [Fact]
    public async Task A_post_rule_without_an_active_integration_leaves_a_draft_with_the_reason()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.ReviewAsync(app, world);
        await AutomationSeeds.RuleAsync(app, world, RuleMode.Post);

        Assert.Equal(RuleOutcome.Drafted, (await RunAsync(app, world, ReplySeeds.ReviewId))[ReplySeeds.ReviewId]);

        var drafts = await app.Host.GetAsync($"{world.AppPath}/reply-drafts", world.Token);
        var draft = Assert.Single(drafts.Json.GetProperty("items").EnumerateArray());
        Assert.Contains("not active", draft.GetProperty("note").GetString());
        Assert.Null(await app.Get<ReplyStore>().GetAsync(world.AppId, ReplySeeds.ReviewId, CancellationToken.None));
    }

    [Fact]
    public async Task Reviews_with_any_reply_imported_history_and_unmatched_reviews_are_left_alone()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.IntegrationAsync(app, world);
        await AutomationSeeds.RuleAsync(app, world, RuleMode.Draft);
        await ReplySeeds.ReviewAsync(app, world, "in-asc", responseId: "asc-response-1");
        await ReplySeeds.ReviewAsync(app, world, "by-person");
        await app.Host.PutAsync(ReplySeeds.ReplyPath(world, "by-person"), world.Token, new { body = "Person's reply" });
        await ReplySeeds.ReviewAsync(app, world, "deleted-by-person");
        await app.Host.PutAsync(ReplySeeds.ReplyPath(world, "deleted-by-person"), world.Token, new { body = "x" });
        await app.Host.DeleteAsync(ReplySeeds.ReplyPath(world, "deleted-by-person"), world.Token);
        await ReplySeeds.ReviewAsync(app, world, "imported");
        await app.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews).UpdateAsync<ReviewEntity>(
            world.AppId, "imported", r => { r.Backfilled = true; return true; });

        var outcomes = await RunAsync(app, world, "in-asc", "by-person", "deleted-by-person", "imported");

        Assert.Equal(RuleOutcome.Answered, outcomes["in-asc"]);
        Assert.Equal(RuleOutcome.Answered, outcomes["by-person"]);
        Assert.Equal(RuleOutcome.Answered, outcomes["deleted-by-person"]);
        Assert.False(outcomes.ContainsKey("imported"));
        Assert.Empty(await app.Get<ReplyAutomationStore>().DraftsAsync(world.AppId, CancellationToken.None));
    }

    [Fact]
    public async Task The_daily_cap_stops_the_rules_and_a_duplicate_message_spends_no_slot()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await AutomationSeeds.RuleWithCapAsync(app, world, RuleMode.Draft, dailyCap: 3);
        var ids = Enumerable.Range(1, 5).Select(i => $"review-{i}").ToArray();
        foreach (var id in ids)
        {
            await ReplySeeds.ReviewAsync(app, world, id);
        }

        var first = await RunAsync(app, world, ids[..2]);
        var again = await RunAsync(app, world, ids[..2]);
        var rest = await RunAsync(app, world, ids[2..]);

        Assert.All(first.Values, o => Assert.Equal(RuleOutcome.Drafted, o));
        Assert.All(again.Values, o => Assert.Equal(RuleOutcome.Answered, o));
        Assert.Equal([RuleOutcome.Drafted, RuleOutcome.CapReached], rest.Values.ToArray());
        var settings = (await app.Host.GetAsync($"{world.AppPath}/reply-automation",
            world.Token)).As<ReplyAutomationResponse>();
        Assert.Equal((3, 3), (settings.DailyCap, settings.UsedToday));
        Assert.Equal(3, (await app.Get<ReplyAutomationStore>().DraftsAsync(world.AppId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task The_daily_cap_holds_within_a_UTC_day_and_resets_at_each_midnight_on_the_fake_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(
            configure: services => services.AddSingleton<TimeProvider>(clock));
        var world = await TestWorld.CreateAsync(app);
        await AutomationSeeds.RuleWithCapAsync(app, world, RuleMode.Draft, dailyCap: 2);
        var ids = Enumerable.Range(1, 12).Select(i => $"cap-review-{i}").ToList();
        foreach (var id in ids)
        {
            await ReplySeeds.ReviewAsync(app, world, id);
        }
        var store = app.Get<ReplyAutomationStore>();
        var waiting = new Queue<string>(ids);

        // Three days in one process: in each day's last minute two drafts, then the cap; just past midnight it is
        // fresh, and the next day's run drafts two again.
        var midnight = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        for (var day = 0; day < 3; day++, midnight = midnight.AddDays(1))
        {
            clock.Advance(midnight - TimeSpan.FromMinutes(1) - clock.GetUtcNow());
            var lateToday = await RunAsync(app, world, [.. waiting.Take(3)]);
            Assert.Equal([RuleOutcome.Drafted, RuleOutcome.Drafted, RuleOutcome.CapReached],
                lateToday.Values.ToArray());
            waiting.Dequeue();
            waiting.Dequeue();
            clock.Advance(TimeSpan.FromSeconds(50)); // still the same UTC day: the cap holds
            Assert.Equal(RuleOutcome.CapReached, Assert.Single(await RunAsync(app, world, waiting.Peek())).Value);
            Assert.Equal(2, await store.UsedAsync(world.AppId, store.Today, CancellationToken.None));

            clock.Advance(TimeSpan.FromSeconds(20)); // the next UTC day: a fresh cap (drafted into next round)
            Assert.Equal(0, await store.UsedAsync(world.AppId, store.Today, CancellationToken.None));
            Assert.Equal(2, await store.UsedAsync(world.AppId, store.Today.AddDays(-1), CancellationToken.None));
        }
        Assert.Equal(6, (await store.DraftsAsync(world.AppId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Racing_workers_never_take_more_than_the_cap()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var store = app.Get<ReplyAutomationStore>();

        var taken = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            store.TryTakeSlotAsync(world.AccountId, world.AppId, store.Today, 5, CancellationToken.None)));

        Assert.Equal(5, taken.Count(t => t));
        Assert.Equal(5, await store.UsedAsync(world.AppId, store.Today, CancellationToken.None));
    }

    [Fact]
    public async Task Ingestion_hands_new_reviews_to_the_rules_but_not_an_imported_history()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var fresh = new NewReviewsAnnouncer(app.Queue, world.AccountId, world.AppId, backfill: false);
        await fresh.AddAsync(["a", "b"], CancellationToken.None);
        await fresh.FlushAsync(CancellationToken.None);
        var history = new NewReviewsAnnouncer(app.Queue, world.AccountId, world.AppId, backfill: true);
        await history.AddAsync(["c"], CancellationToken.None);
        await history.FlushAsync(CancellationToken.None);

        var work = Assert.Single(app.Queue.Sent<ReplyAutomationWork>(ReplyAutomationQueues.ReplyAutomation));
        Assert.Equal(["a", "b"], work.ReviewIds!);
        Assert.Equal(2, app.Queue.Sent<NewReviewsBatch>(ReviewQueues.NewReviews).Count);
    }

    [Fact]
    public async Task Applying_to_the_last_days_reaches_recent_reviews_without_a_reply_imported_ones_included()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.IntegrationAsync(app, world);
        await AutomationSeeds.RuleAsync(app, world, RuleMode.Draft);
        var reviews = app.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews);
        await ReplySeeds.ReviewAsync(app, world, "recent-import");
        await reviews.UpdateAsync<ReviewEntity>(world.AppId, "recent-import",
            r => { r.Backfilled = true; return true; });
        await ReplySeeds.ReviewAsync(app, world, "old");
        await reviews.UpdateAsync<ReviewEntity>(world.AppId, "old",
            r => { r.CreatedAt = DateTimeOffset.UtcNow.AddDays(-20); return true; });

        var accepted = await app.Host.PostAsync($"{AutomationSeeds.RulesPath(world)}/apply", world.Token,
            new { days = 7 });
        Assert.Equal(202, accepted.Status);
        var work = Assert.Single(app.Queue.Sent<ReplyAutomationWork>(ReplyAutomationQueues.ReplyAutomation));
        var outcomes = await app.Get<ReplyAutomationRunner>().RunAsync(work, CancellationToken.None);

        Assert.Equal(RuleOutcome.Drafted, Assert.Single(outcomes).Value);
        Assert.Equal("recent-import", outcomes.Single().Key);
        Assert.Equal(400, (await app.Host.PostAsync($"{AutomationSeeds.RulesPath(world)}/apply", world.Token,
            new { days = 31 })).Status);
    }

    [Fact]
    public async Task Rule_changes_are_audited_and_a_rule_needs_a_template_of_the_account()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var stranger = await TestWorld.CreateAsync(app);
        await AutomationSeeds.TemplateAsync(app, stranger);
        await AutomationSeeds.TemplateAsync(app, world);
        var path = AutomationSeeds.RulesPath(world);

        var foreign = await app.Host.PostAsync(path, world.Token,
            new { name = "r", templateId = AutomationSeeds.TemplateId(stranger), mode = "post" });
        Assert.Equal(400, foreign.Status);
        Assert.Equal(400, (await app.Host.PostAsync(path, world.Token,
            new { name = "r", templateId = AutomationSeeds.TemplateId(world), mode = "shout" })).Status);
        Assert.Equal(400, (await app.Host.PostAsync(path, world.Token, new
        {
            name = "r", templateId = AutomationSeeds.TemplateId(world), mode = "post",
            conditions = new { ratings = new[] { 6 }, territories = new[] { "XX" }, minBodyLength = 9,
                maxBodyLength = 2 },
        })).Status);

        var created = (await app.Host.PostAsync(path, world.Token,
            new { name = "r", templateId = AutomationSeeds.TemplateId(world), mode = "post" })).As<ReplyRuleResponse>();
        await app.Host.PutAsync($"{path}/{created.RuleId}", world.Token,
            new { name = "r2", templateId = AutomationSeeds.TemplateId(world), mode = "draft", enabled = false });
        await app.Host.DeleteAsync($"{path}/{created.RuleId}", world.Token);

        var changes = (await app.Host.GetAsync($"{path}/changes",
            world.Token)).Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["deleted", "updated", "created"], changes.Select(c => c.GetProperty("action").GetString()));
        Assert.All(changes, c => Assert.Equal(world.UserId, c.GetProperty("changedBy").GetString()));
        Assert.Equal("draft", changes[1].GetProperty("rule").GetProperty("mode").GetString());
        Assert.Empty((await app.Host.GetAsync(path, world.Token)).Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task An_approver_sends_an_edited_draft_as_their_reply_and_a_draft_never_overwrites_a_reply()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await AutomationSeeds.DraftAsync(app, world);
        var approver = await AutomationSeeds.MemberAsync(app, world, ReviewHub.Accounts.MemberRoles.Approver);

        var approved = await app.Host.PostAsync(AutomationSeeds.DraftPath(world, "approve"), approver,
            new { body = " Edited! " });

        Assert.True(approved.Status == 202, approved.ToString());
        var reply = approved.As<ReplyResponse>();
        Assert.Equal(("Edited!", ReplyStatus.Queued, null), (reply.Body, reply.Status, reply.RuleId));
        Assert.StartsWith("approver-", reply.RequestedBy);
        Assert.Equal("draft", Assert.Single(await app.Get<ReplyStore>().HistoryAsync(world.AppId, ReplySeeds.ReviewId,
            CancellationToken.None)).Via);
        Assert.Empty(await app.Get<ReplyAutomationStore>().DraftsAsync(world.AppId, CancellationToken.None));

        // Another draft for a review a person answered meanwhile: approving it is refused and changes nothing.
        await AutomationSeeds.DraftAsync(app, world);
        var conflict = await app.Host.PostAsync(AutomationSeeds.DraftPath(world, "approve"), approver);
        Assert.True(conflict.Status == 409, conflict.ToString());
        Assert.Equal(RuleFunctionsReplyExists, conflict.Json.GetProperty("type").GetString());
        Assert.Equal("Edited!", (await app.Get<ReplyStore>().GetAsync(world.AppId, ReplySeeds.ReviewId,
            CancellationToken.None))!.Body);
        Assert.Empty((await app.Host.GetAsync($"{world.AppPath}/reply-drafts",
            world.Token)).Json.GetProperty("items").EnumerateArray());
        Assert.Equal(204, (await app.Host.PostAsync(AutomationSeeds.DraftPath(world, "reject"), approver)).Status);
        Assert.Equal(404, (await app.Host.PostAsync(AutomationSeeds.DraftPath(world, "reject"), approver)).Status);
    }

    private const string RuleFunctionsReplyExists = ReplyRuleFunctions.ReplyExistsType;

    private static Task<IReadOnlyDictionary<string, RuleOutcome>> RunAsync(TestApp app, TestWorld world,
        params string[] ids) =>
        app.Get<ReplyAutomationRunner>().RunAsync(new ReplyAutomationWork(world.AccountId, world.AppId, ids),
            CancellationToken.None);
}
