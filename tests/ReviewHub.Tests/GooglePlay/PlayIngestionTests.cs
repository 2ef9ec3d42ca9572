using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// Google Play as a review source in the shared fetch path: hourly, edits, the per-app read budget, no grant, quota,
/// and the 7-day window's gap, against the fake Play server.
/// </summary>
public sealed class PlayIngestionTests
{
    private const string Package = PlayIngestion.Package;

    [Fact]
    public async Task An_android_app_is_fetched_hourly_from_Play_first_import_as_history_then_new_reviews_announced()
    {
        await using var h = await PlayIngestion.StartAsync();
        var schedule = await h.ScheduleAsync();
        Assert.Equal((ReviewSources.GooglePlay, TimeSpan.FromHours(1)), (schedule.Source, schedule.Interval));
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(120, h.Clock.GetUtcNow().AddMinutes(-5)));

        var first = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Completed, ReviewSources.GooglePlay, 2),
            (first.Kind, first.Source, first.Requests));
        Assert.Equal(120, await h.StoredCountAsync());
        Assert.All(h.TakeBatches(), b => Assert.True(b.Backfill)); // a week of reviews is summarised, not notified
        var stored = await h.StoredAsync("gp:AOqpTOr000000");
        Assert.Equal(("Title 0", "Body of review 0", ReviewSources.GooglePlay),
            (stored.Title, stored.Body, stored.Source));

        h.Clock.Offset += TimeSpan.FromHours(1);
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(2, h.Clock.GetUtcNow().AddMinutes(-1), "new"));
        h.Play.ClearRequests();
        var next = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Completed, 1, 2), (next.Kind, next.Requests, next.NewReviews));
        var batch = Assert.Single(h.TakeBatches());
        Assert.False(batch.Backfill);
        Assert.Equal(["gp:AOqpTOnew000000", "gp:AOqpTOnew000001"], batch.ReviewIds);

        h.Clock.Offset += TimeSpan.FromHours(1);
        var idle = await h.FetchAsync();
        Assert.Equal((FetchOutcomeKind.Completed, 1, 0), (idle.Kind, idle.Requests, idle.NewReviews));
        Assert.Empty(h.TakeBatches());
        Assert.Equal(122, await h.StoredCountAsync());
        Assert.True((await h.ScheduleAsync()).Interval <= TimeSpan.FromHours(1)); // hourly at most, faster when busy
    }

    [Fact]
    public async Task An_edit_updates_the_stored_review_and_marks_the_reply_written_before_it_outdated()
    {
        await using var h = await PlayIngestion.StartAsync();
        var now = h.Clock.GetUtcNow();
        h.Play.SetReviews(Package,
        [
            new FakePlayReview("gp:edited", 1, "Crashes on start", now.AddHours(-3), "Ana",
                Reply: new FakePlayReply("Sorry! Fixed in 3.2.1.", now.AddHours(-2))),
            new FakePlayReview("gp:quiet", 4, "Nice", now.AddHours(-3), "Ben"),
        ]);
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
        var before = await h.StoredAsync("gp:edited");
        Assert.Equal(("Sorry! Fixed in 3.2.1.", false), (before.ResponseBody, before.ReplyOutdated));

        h.Clock.Offset += TimeSpan.FromHours(1);
        h.Play.EditReview(Package, "gp:edited", "Still crashes on 3.2.1", 2);
        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(2, await h.StoredCountAsync()); // the same review, not a second row
        var after = await h.StoredAsync("gp:edited");
        Assert.Equal((2, "Still crashes on 3.2.1", true), (after.Rating, after.Body, after.ReplyOutdated));
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        Assert.NotNull(after.EditedAt);
        var api = await h.App.Host.GetAsync($"{h.AppPath}/reviews/gp:edited", h.World.Token);
        Assert.True(api.Json.GetProperty("replyOutdated").GetBoolean());
        Assert.Equal("googlePlay", api.Json.GetProperty("store").GetString());

        // A reply written after the edit is read back and the mark goes.
        h.Clock.Offset += TimeSpan.FromHours(1);
        h.Play.SetReviews(Package, [h.Play.Review(Package, "gp:edited")! with
        {
            Reply = new FakePlayReply("Thanks, 3.2.2 fixes it.", h.Clock.GetUtcNow()),
        }]);
        h.Play.EditReview(Package, "gp:edited", "Still crashes on 3.2.1", 2); // moves lastModified: re-listed
        h.Play.SetReviews(Package, [h.Play.Review(Package, "gp:edited")! with
        {
            Reply = new FakePlayReply("Thanks, 3.2.2 fixes it.", h.Clock.GetUtcNow().AddSeconds(1)),
        }]);
        await h.FetchAsync();
        var replied = await h.StoredAsync("gp:edited");
        Assert.Equal(("Thanks, 3.2.2 fixes it.", false), (replied.ResponseBody, replied.ReplyOutdated));
    }

    [Fact]
    public async Task Without_a_grant_the_fetch_pauses_with_who_must_act_and_reads_once_a_check_finds_it_granted()
    {
        await using var h = await PlayIngestion.StartAsync(grant: false);
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(3, h.Clock.GetUtcNow()));

        var denied = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Paused, denied.Kind);
        var schedule = await h.ScheduleAsync();
        Assert.Contains(h.ServiceAccount!.ClientEmail, schedule.LastError, StringComparison.Ordinal);
        Assert.Contains("Play Console", schedule.LastError, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(1), schedule.Interval); // tried again at the next hourly slot
        Assert.Empty(h.App.Queue.Sent<object>(ReviewQueues.ReviewFetches)); // no retry storm
        Assert.Empty(h.App.Queue.Sent<object>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches)));

        // The refusal degraded the connection at once: fetches wait until a check finds the grant back.
        h.Play.SetGrant(h.ServiceAccount.ClientEmail, Package, FakePlayGrant.Granted);
        Assert.Equal(FetchOutcomeKind.Paused, (await h.FetchAsync()).Kind);
        Assert.Equal(PlayHealthOutcome.Healthy, await h.CheckConnectionAsync());
        var granted = await h.FetchAsync();
        Assert.Equal((FetchOutcomeKind.Completed, 3), (granted.Kind, await h.StoredCountAsync()));
        Assert.Null((await h.ScheduleAsync()).LastError);
    }

    [Fact]
    public async Task Without_a_provisioned_service_account_the_fetch_pauses_without_calling_Google()
    {
        await using var h = await PlayIngestion.StartAsync(provision: false);

        var outcome = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Paused, 0), (outcome.Kind, outcome.Requests));
        Assert.Contains("operators", (await h.ScheduleAsync()).LastError, StringComparison.Ordinal);
        Assert.Empty(h.Play.Requests);
    }

    [Fact]
    public async Task A_429_from_Play_retries_no_sooner_than_the_budget_wait_and_the_app_keeps_its_hourly_budget()
    {
        await using var h = await PlayIngestion.StartAsync(new Dictionary<string, string?>
        {
            ["Reviews:PlayReadsPerHour"] = "2",
            ["Reviews:BudgetWaitDelay"] = "00:20:00",
            ["OutboundHttp:RetryBaseDelay"] = "00:00:00.010",
        });
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(3, h.Clock.GetUtcNow()));
        h.Play.Fail(FakeGooglePlay.QuotaExceeded(), times: 10,
            match: r => r.Path.Value!.EndsWith("/reviews", StringComparison.Ordinal));

        var limited = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Retrying, limited.Kind);
        var (retry, delay) = Assert.Single(h.App.Queue.SentWithDelays<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        Assert.Equal(1, retry.Attempt);
        Assert.True(delay >= TimeSpan.FromMinutes(20), $"{delay}");
        Assert.Contains("RESOURCE_EXHAUSTED", (await h.ScheduleAsync()).LastError, StringComparison.Ordinal);

        // The app's own budget: two reads an hour here, then the fetch waits for the next hour without a request.
        h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
        h.Play.ClearFaults();
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
        h.Play.ClearRequests();
        h.Clock.Offset += TimeSpan.FromMinutes(10);
        var waiting = await h.FetchAsync();
        Assert.Equal((FetchOutcomeKind.Deferred, 0), (waiting.Kind, waiting.Requests));
        Assert.Empty(h.Play.Requests);
        var (_, wait) = Assert.Single(h.App.Queue.SentWithDelays<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        Assert.InRange(wait!.Value, TimeSpan.FromMinutes(49), TimeSpan.FromMinutes(50));
        h.Clock.Offset += TimeSpan.FromMinutes(50);
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
    }

    [Fact]
    public async Task A_connection_down_for_longer_than_7_days_reports_the_gap_it_cannot_recover()
    {
        await using var h = await PlayIngestion.StartAsync();
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(2, h.Clock.GetUtcNow()));
        await h.FetchAsync();
        var lastPoll = (await h.ScheduleAsync()).PlayPolledAt!.Value;

        h.Clock.Offset += TimeSpan.FromDays(6);
        await h.FetchAsync();
        var noGap = await h.App.Host.GetAsync($"{h.AppPath}/review-fetch", h.World.Token);
        Assert.Equal(200, noGap.Status);
        Assert.False(noGap.Json.TryGetProperty("unrecoverableGap", out _));
        lastPoll = (await h.ScheduleAsync()).PlayPolledAt!.Value;

        h.Play.SetGrant(h.ServiceAccount!.ClientEmail, Package, FakePlayGrant.Denied); // revoked for 10 days
        h.Clock.Offset += TimeSpan.FromDays(5);
        Assert.Equal(FetchOutcomeKind.Paused, (await h.FetchAsync()).Kind);
        h.Clock.Offset += TimeSpan.FromDays(5);
        h.Play.SetGrant(h.ServiceAccount.ClientEmail, Package, FakePlayGrant.Granted);
        Assert.Equal(PlayHealthOutcome.Healthy, await h.CheckConnectionAsync()); // the daily check finds it back
        h.Play.SetReviews(Package, FakeGooglePlay.GenerateReviews(1, h.Clock.GetUtcNow().AddDays(-1), "late"));
        var back = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Completed, 1), (back.Kind, back.NewReviews));
        var status = await h.App.Host.GetAsync($"{h.AppPath}/review-fetch", h.World.Token);
        var gap = status.Json.GetProperty("unrecoverableGap");
        Assert.Equal(lastPoll, gap.GetProperty("from").GetDateTimeOffset());
        Assert.Equal((await h.ScheduleAsync()).PlayPolledAt!.Value - PlayReviewPoll.ListWindow,
            gap.GetProperty("to").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_translation_language_applies_to_android_apps_only_and_is_sent_to_Play()
    {
        await using var h = await PlayIngestion.StartAsync();
        var set = await h.App.Host.PatchAsync(h.AppPath, h.World.Token, new { translationLanguage = "en_GB" });
        Assert.Equal(200, set.Status);
        Assert.Equal("en_GB", set.Json.GetProperty("translationLanguage").GetString());
        var bad = await h.App.Host.PatchAsync(h.AppPath, h.World.Token, new { translationLanguage = "english" });
        Assert.Equal(400, bad.Status);
        var ios = await h.App.Host.PatchAsync(h.World.AppPath, h.World.Token, new { translationLanguage = "en" });
        Assert.Equal(400, ios.Status);
        Assert.Contains("translationLanguage", ios.Body, StringComparison.Ordinal);

        await h.FetchAsync();

        Assert.Contains(h.Play.Requests, r => r.Query.Contains("translationLanguage=en_GB", StringComparison.Ordinal));
    }
}
