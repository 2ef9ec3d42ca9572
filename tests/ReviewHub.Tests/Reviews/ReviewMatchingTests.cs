using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Azure.Data.Tables;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Json;
using ReviewHub.Replies;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// One review, one row: reviews the public feed stored before the integration and their App Store Connect copies (other
/// ids) are matched, in either order, across the Reviews page, delivery and replies.
/// </summary>
public sealed class ReviewMatchingTests
{
    private static readonly DateTimeOffset Newest = new(2026, 10, 1, 10, 15, 0, TimeSpan.FromHours(-7));
    private const string HookPath = "hooks/reviews";

    /// <summary>An ingestion harness with a webhook route on its app, and the host's fan-out and delivery.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private Scenario(IngestionHarness h, FakeWebhookReceiver webhooks)
        {
            H = h;
            Webhooks = webhooks;
        }

        public IngestionHarness H { get; }
        public FakeWebhookReceiver Webhooks { get; }

        public static async Task<Scenario> StartAsync()
        {
            var h = await IngestionHarness.StartAsync();
            var webhooks = new FakeWebhookReceiver();
            await webhooks.StartAsync();
            var created = await h.App.Host.PostAsync($"{h.World.AppPath}/routes", h.World.Token,
                new { channel = "webhook", target = webhooks.UrlFor(HookPath) });
            Assert.True(created.Status == 201, created.ToString());
            webhooks.SetSecret(HookPath, created.As<RouteResponse>().SigningSecret!);
            return new Scenario(h, webhooks);
        }

        /// <summary>Fans out every batch ingestion handed on and delivers every unit of work, like the host.</summary>
        public async Task DeliverAsync()
        {
            var fanOut = ActivatorUtilities.CreateInstance<DeliveryFunctions>(H.App.Services);
            foreach (var batch in H.TakeBatches())
            {
                await fanOut.FanOutNewReviews(batch, CancellationToken.None);
            }
            foreach (var work in H.App.Queue.Take<DeliveryWork>(DeliveryQueues.Deliveries))
            {
                await H.App.Get<RouteDeliverer>().DeliverAsync(work, CancellationToken.None);
            }
        }

        /// <summary>The Reviews page, every page of it, as the SPA reads it.</summary>
        public async Task<List<ReviewResponse>> ListAsync()
        {
            var items = new List<ReviewResponse>();
            string? token = null;
            do
            {
                var query = token is null ? "limit=100" : $"limit=100&continuationToken={token}";
                var page = await H.App.Host.GetAsync($"{H.World.AppPath}/reviews?{query}", H.World.Token);
                Assert.True(page.Status == 200, page.ToString());
                var json = page.Json;
                items.AddRange(json.GetProperty("items").Deserialize<List<ReviewResponse>>(ReviewHubJson.Options)!);
                token = json.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String
                    ? next.GetString()
                    : null;
            }
            while (token is not null);
            return items;
        }

        public Task EndIntegrationAsync() => H.App.Get<IntegrationStore>().Table.UpdateAsync<IntegrationEntity>(
            H.World.AccountId, H.World.AppId, i =>
            {
                i.Status = nameof(IntegrationStatus.Cancelled);
                i.ActiveKind = null;
                return true;
            });

        public async ValueTask DisposeAsync()
        {
            await H.DisposeAsync();
            await Webhooks.DisposeAsync();
        }
    }

    private static string ReplyPath(IngestionHarness h, string reviewId) =>
        $"{h.World.AppPath}/reviews/{reviewId}/reply";

    private static bool IsFeedId(string id) => id.All(char.IsAsciiDigit);

    /// <summary>App Store Connect reviews (territory USA) and their feed copies (storefront us).</summary>
    private static (List<FakeCustomerReview> Api, List<FakeFeedReview> Feed) Copies(
        int count, DateTimeOffset newest, long firstFeedId)
    {
        var api = FakeAppStoreConnect.GenerateReviews(count, newest, $"asc{firstFeedId}").ToList();
        return (api, api.Select((r, i) => FakeReviewFeed.CopyOf(r, firstFeedId + i)).ToList());
    }

    [Fact]
    public async Task An_app_with_500_feed_reviews_lists_500_after_activation_and_delivers_none_again()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(500, Newest, 8_000_000_000);
        // The feed's first import (the 400 oldest, not notified one by one), then 100 new reviews notified.
        h.Feed.SetReviews("us", h.StoreAppId, feed[100..]);
        await h.FetchAsync();
        h.Feed.SetReviews("us", h.StoreAppId, feed[..100]);
        await h.FetchAsync();
        await s.DeliverAsync();
        Assert.Equal(100, s.Webhooks.Received.Count);

        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();
        h.TakeFetches();
        await h.FetchUntilCompletedAsync();
        await s.DeliverAsync();
        Assert.Equal(500, (await s.ListAsync()).Count);
        Assert.Equal(100, s.Webhooks.Received.Count);
        h.Asc.SetReviews(h.StoreAppId, Copies(1, Newest.AddHours(1), 9_000_000_000).Api);
        await h.FetchAsync(); // the next hourly fetch: one new review
        await s.DeliverAsync();

        var listed = await s.ListAsync();
        Assert.Equal(501, listed.Count);
        Assert.Equal(501, listed.Select(r => r.ReviewId).Distinct().Count());
        Assert.Equal(feed.Select(f => f.Id).Order(), listed.Select(r => r.ReviewId).Where(IsFeedId).Order());
        Assert.All(listed, r => Assert.Equal(ReviewSources.AppStoreConnect, r.Source));
        var rows = await h.StoredReviewsAsync();
        Assert.Equal(api.Select(r => r.Id).Order(), rows.Select(r => r.AscReviewId).OfType<string>().Order());
        // Each review went to the webhook once: the 100 new ones from the feed, then the one new in App Store Connect.
        Assert.Equal(101, s.Webhooks.Received.Count);
        Assert.Equal(101, s.Webhooks.Received.Select(w => w.Id).Distinct().Count());
        Assert.Equal(501, await h.TimelineCountAsync());
    }

    [Fact]
    public async Task Reviews_the_feed_delivered_while_the_integration_was_off_are_not_delivered_again_when_it_returns()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (oldApi, oldFeed) = Copies(50, Newest, 8_000_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, oldFeed);
        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, oldApi);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();

        // The integration ends; the app falls back to the feed, which brings 20 new reviews to the webhook.
        await s.EndIntegrationAsync();
        var (newApi, newFeed) = Copies(20, Newest.AddDays(1), 8_100_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, newFeed);
        await h.FetchAsync();
        await s.DeliverAsync();
        Assert.Equal(20, s.Webhooks.Received.Count);

        // It comes back: the hourly fetch reads the same 20 from App Store Connect (newer than its old watermark).
        h.Asc.SetReviews(h.StoreAppId, newApi);
        await h.ActivateIntegrationAsync();
        h.TakeFetches();
        await h.FetchUntilCompletedAsync();
        await s.DeliverAsync();

        Assert.Equal(20, s.Webhooks.Received.Count);
        var rows = await h.StoredReviewsAsync();
        Assert.Equal(70, rows.Count);
        Assert.All(rows, r => Assert.NotNull(r.AscReviewId));
    }

    [Fact]
    public async Task Reviews_edited_between_the_feed_read_and_the_import_are_one_row_with_the_edited_text()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(3, Newest, 8_000_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, feed[1..]); // the first import (history)
        await h.FetchAsync();
        h.Feed.SetReviews("us", h.StoreAppId, feed[..1]); // then a new review, delivered
        await h.FetchAsync();
        await s.DeliverAsync();
        Assert.Single(s.Webhooks.Received);

        // Every customer edits their review after the feed read it; the newest also changes the rating to 5.
        var edited = api.Select((r, i) => r with { Body = $"{r.Body} Update: fixed.", Rating = i == 0 ? 5 : r.Rating })
            .ToList();
        h.Asc.SetReviews(h.StoreAppId, edited);
        await h.ActivateIntegrationAsync();
        h.TakeFetches();
        await h.FetchUntilCompletedAsync();
        await s.DeliverAsync();

        var listed = (await s.ListAsync()).OrderBy(r => r.ReviewId, StringComparer.Ordinal).ToList();
        Assert.Equal(feed.Select(f => f.Id).Order(), listed.Select(r => r.ReviewId));
        Assert.Equal(edited.Select(r => (r.Rating, (string?)r.Body)), listed.Select(r => (r.Rating, r.Body)));
        Assert.All(listed, r => Assert.Equal(ReviewSources.AppStoreConnect, r.Source));
        var rows = await h.StoredReviewsAsync();
        Assert.Equal(edited.Select(r => r.Id).Order(), rows.Select(r => r.AscReviewId).OfType<string>().Order());
        Assert.Equal(3, await h.TimelineCountAsync());
        Assert.Single(s.Webhooks.Received); // the edit is not a new review
    }

    [Fact]
    public async Task Reviews_edited_before_the_feed_first_read_them_are_one_row_after_the_import()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(4, Newest, 8_000_000_000);
        // Each customer edited their review hours after posting and before the feed first read it: the feed shows the
        // edited text under the edit's date, App Store Connect the same text under the creation date.
        var edited = api.Select(r => r with { Body = $"{r.Body} Update: fixed." }).ToList();
        var late = feed.Select((f, i) => f with { Content = edited[i].Body, Updated = f.Updated.AddHours(5 + i) })
            .ToList();
        h.Feed.SetReviews("us", h.StoreAppId, late);
        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, edited);
        await h.ActivateIntegrationAsync();
        h.TakeFetches();
        await Task.WhenAll(h.FetchAsync(), h.FetchAsync()); // a duplicate import message runs alongside
        await h.FetchUntilCompletedAsync();
        await h.FetchAsync(); // an hourly fetch serves them again: already theirs
        await s.DeliverAsync();

        var rows = await h.StoredReviewsAsync();
        Assert.Equal(late.Select(f => f.Id).Order(), rows.Select(r => r.ReviewId).Order());
        Assert.Equal(edited.Select(r => r.Id).Order(), rows.Select(r => r.AscReviewId).OfType<string>().Order());
        Assert.All(rows, r => Assert.Equal(ReviewSources.AppStoreConnect, r.Source));
        Assert.Equal(4, (await s.ListAsync()).Count);
        Assert.Equal(4, await h.TimelineCountAsync());
        Assert.Empty(s.Webhooks.Received); // history when the feed read them; the API's copies are not new
    }

    [Fact]
    public async Task Reviews_edited_while_on_the_api_are_one_row_when_the_feed_reads_them_after_a_disconnect()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(4, Newest.AddDays(-1), 8_000_000_000);
        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();
        await s.DeliverAsync();
        var deliveredWhileConnected = s.Webhooks.Received.Count;

        // Two customers edit their review after App Store Connect served it; the integration ends and the feed shows
        // them under the edits' dates.
        var editedAt = DateTimeOffset.UtcNow.AddMinutes(1); // the harness stored the API's rows on the system clock
        await s.EndIntegrationAsync();
        h.Feed.SetReviews("us", h.StoreAppId, feed.Select((f, i) => i < 2
            ? f with { Content = $"{f.Content} Update: fixed.", Updated = editedAt.AddMinutes(i) }
            : f));
        await h.FetchAsync();
        await h.FetchAsync();
        await s.DeliverAsync();

        var rows = (await h.StoredReviewsAsync()).OrderBy(r => r.ReviewId, StringComparer.Ordinal).ToList();
        Assert.Equal(api.Select(r => r.Id).Order(), rows.Select(r => r.ReviewId));
        Assert.Equal(feed.Select(f => f.Id).Order(), rows.Select(r => r.FeedReviewId).OfType<string>().Order());
        Assert.Equal(4, await h.TimelineCountAsync());
        Assert.Equal(deliveredWhileConnected, s.Webhooks.Received.Count);
        // The feed's copies are the newer versions: the rows take their text, dated by the edits.
        Assert.Equal(
            api.Select((r, i) => i < 2 ? $"{r.Body} Update: fixed." : r.Body).Order(StringComparer.Ordinal),
            rows.Select(r => r.Body).Order(StringComparer.Ordinal));
        Assert.Equal(2, rows.Count(r => r.EditedAt is not null));
    }

    [Fact]
    public async Task The_reviewer_rule_leaves_a_reviewer_with_two_reviews_on_one_page_alone()
    {
        var (api, feed) = Copies(2, Newest, 8_000_000_000);
        // One nickname, two reviews App Store Connect dates hours before the feed's only one: doubt, two rows.
        var rows = await FeedThenImportAsync(feed[0] with { Author = "Alex", Updated = Newest.AddHours(6) },
            api.Select(r => r with { ReviewerNickname = "Alex" }).ToList());

        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Null(r.AliasId));
    }

    [Fact]
    public async Task The_reviewer_rule_pairs_App_Store_Connects_copy_only_with_the_same_words_and_rating()
    {
        var (api, feed) = Copies(2, Newest, 8_000_000_000);
        // Two customers sharing a common nickname: one review only App Store Connect serves, another only the feed,
        // dated hours later. Only equal words and rating would make them one review edited.
        var rows = await FeedThenImportAsync(feed[1] with { Author = "Alex", Updated = Newest.AddHours(6) },
            [api[0] with { ReviewerNickname = "Alex" }]);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Null(r.AliasId));
    }

    /// <summary>The feed's first import reads <paramref name="feedReview"/>, then the activation imports
    /// <paramref name="api"/>: the rows stored.</summary>
    private static async Task<List<ReviewEntity>> FeedThenImportAsync(
        FakeFeedReview feedReview, List<FakeCustomerReview> api)
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, [feedReview]);
        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();
        return await h.StoredReviewsAsync();
    }

    [Fact]
    public async Task Reviews_that_arrived_after_the_last_feed_fetch_are_notified_once_by_the_activation_import()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(6, Newest, 8_000_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, feed[2..]); // the first import: history; the USA feed watermark
        await h.FetchAsync();
        // Two reviews arrive after that fetch and before activation; GBR was never read from the feed.
        var gbr = FakeAppStoreConnect.GenerateReviews(1, Newest.AddMinutes(1), "gbr", territory: "GBR");
        h.Asc.SetReviews(h.StoreAppId, [.. api, .. gbr]);
        await h.ActivateIntegrationAsync();
        h.TakeFetches();

        await Task.WhenAll(h.FetchAsync(), h.FetchAsync()); // a duplicate import message runs alongside
        await h.FetchUntilCompletedAsync();
        await s.DeliverAsync();

        var delivered = s.Webhooks.Received
            .Select(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("data").GetProperty("reviewId").GetString())
            .ToList();
        Assert.Equal([api[0].Id, api[1].Id], delivered.Order());
        var rows = (await h.StoredReviewsAsync()).ToDictionary(r => r.AscReviewId ?? r.ReviewId);
        Assert.Equal(7, rows.Count);
        Assert.All(api[..2], r => Assert.False(rows[r.Id].Backfilled));
        Assert.All(api[2..].Append(gbr[0]), r => Assert.True(rows[r.Id].Backfilled));
    }

    [Fact]
    public async Task A_feed_fetch_after_the_api_import_stores_no_duplicate_and_keeps_the_developer_response()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(30, Newest, 8_000_000_000);
        var response = new FakeDeveloperResponse("resp-1", "Thanks, fixed in 2.1", "PUBLISHED", Newest);
        api[3] = api[3] with { Response = response };
        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();
        h.TakeBatches();

        // The integration ends and the app falls back to the feed (a stale feed fetch in flight does the same).
        await s.EndIntegrationAsync();
        h.Feed.SetReviews("us", h.StoreAppId, feed);
        await h.FetchAsync();
        await h.FetchAsync();

        var rows = await h.StoredReviewsAsync();
        Assert.Equal(30, rows.Count);
        Assert.Equal(feed.Select(f => f.Id).Order(), rows.Select(r => r.FeedReviewId).Order());
        Assert.All(rows, r => Assert.Equal(
            (ReviewSources.AppStoreConnect, r.ReviewId), (r.Source, r.AppStoreConnectId)));
        Assert.Equal("Thanks, fixed in 2.1", rows.Single(r => r.ReviewId == api[3].Id).ResponseBody);
        Assert.Empty(h.TakeBatches().SelectMany(b => b.ReviewIds));
        Assert.Equal(30, await h.TimelineCountAsync());
    }

    [Fact]
    public async Task A_reply_to_a_merged_review_goes_to_App_Store_Connect_under_its_api_id()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(3, Newest, 8_000_000_000);
        var feedOnly = FakeReviewFeed.CopyOf(Copies(1, Newest.AddDays(-2), 1).Api[0], 8_500_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, [.. feed, feedOnly]);
        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();

        var put = await h.App.Host.PutAsync(ReplyPath(h, feed[1].Id), h.World.Token, new { body = "Thanks!" });
        Assert.True(put.Status == 202, put.ToString());
        foreach (var message in h.App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends))
        {
            await h.App.Get<ReplySender>().SendAsync(message, CancellationToken.None);
        }

        Assert.Equal("Thanks!", h.Asc.ResponseForReview(api[1].Id)?.ResponseBody);
        var reply = await h.App.Host.GetAsync(ReplyPath(h, feed[1].Id), h.World.Token);
        Assert.Equal("pendingPublish", reply.Json.GetProperty("status").GetString());
        // A feed review App Store Connect does not serve cannot be answered there: refused, nothing recorded.
        var refused = await h.App.Host.PutAsync(ReplyPath(h, feedOnly.Id), h.World.Token, new { body = "Hi" });
        Assert.Equal(409, refused.Status);
        Assert.Equal(ReplyFunctions.ReviewNotInAppStoreConnectType, refused.Json.GetProperty("type").GetString());
        Assert.Null(await h.App.Get<ReplyStore>().GetAsync(h.World.AppId, feedOnly.Id, CancellationToken.None));
    }

    [Fact]
    public async Task An_api_review_without_a_feed_copy_is_stored_as_a_new_review_and_nothing_is_lost()
    {
        await using var s = await Scenario.StartAsync();
        var h = s.H;
        var (api, feed) = Copies(5, Newest, 8_000_000_000);
        // The feed had 3 of them plus one App Store Connect no longer serves; the API has all 5.
        var feedOnly = FakeReviewFeed.CopyOf(Copies(1, Newest.AddDays(-2), 1).Api[0], 8_500_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, [.. feed[2..], feedOnly]);
        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();

        var rows = await h.StoredReviewsAsync();
        Assert.Equal(6, rows.Count);
        var apiOnly = rows.Where(r => r.ReviewId == api[0].Id || r.ReviewId == api[1].Id).ToList();
        Assert.Equal(2, apiOnly.Count);
        // Newer than the feed's last fetch, they arrived since: new reviews, not history.
        Assert.All(apiOnly, r => Assert.True(
            r is { Source: ReviewSources.AppStoreConnect, AscReviewId: null, Backfilled: false }));
        Assert.Equal(ReviewSources.Feed, rows.Single(r => r.ReviewId == feedOnly.Id).Source);
        var stored = rows.SelectMany(r => new[] { r.ReviewId, r.AscReviewId }).OfType<string>();
        Assert.Empty(api.Select(r => r.Id).Concat(feed[2..].Select(f => f.Id)).Append(feedOnly.Id).Except(stored));
        Assert.Equal(6, (await s.ListAsync()).Count);
    }

    [Fact]
    public async Task Near_duplicates_are_never_merged_and_the_generated_set_matches_with_precision_one()
    {
        await using var h = await IngestionHarness.StartAsync();
        var set = NearDuplicateReviews.Generate(
            seed: 11, [("us", "USA"), ("gb", "GBR")], slotsPerStorefront: 300, Newest);
        MatchingRun.ServeFeed(h.Feed, h.StoreAppId, set);
        await h.FetchAsync();
        MatchingRun.ServeApi(h.Asc, h.StoreAppId, set);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();

        var score = await MatchingRun.ScoreAsync(h.App.Get<TableServiceClient>(), h.World.AppId, set);

        Assert.True(score.Pairs > 400 && score.ByKind.Count == 15, $"{score.Pairs} pairs, {score.ByKind.Count} kinds");
        Assert.Equal((0, 0, 0), (score.FalseMerges, score.Lost, score.Duplicated));
        Assert.Equal(1.0, score.Precision);
        Assert.True(score.Recall >= 0.93, $"recall {score.Recall:F3}");
        Assert.All(score.ByKind.Where(k => k.Key.StartsWith("lookalike", StringComparison.Ordinal) || k.Key == "twins"),
            k => Assert.Equal(0, k.Value.Merged));
        Assert.All(score.ByKind.Where(k => k.Key is "pair" or "pair-whitespace" or "pair-skewed" or "pair-edited-soon"
                or "pair-edited-between"),
            k => Assert.Equal(k.Value.Count, k.Value.Merged));
    }

    [Fact]
    public async Task Duplicate_import_messages_running_at_once_merge_each_review_once()
    {
        await using var h = await IngestionHarness.StartAsync();
        var (api, feed) = Copies(250, Newest, 8_000_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, feed);
        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();

        await Task.WhenAll(h.FetchAsync(), h.FetchAsync());
        await h.FetchUntilCompletedAsync();

        var rows = await h.StoredReviewsAsync();
        Assert.Equal(250, rows.Count);
        Assert.Equal(api.Select(r => r.Id).Order(), rows.Select(r => r.AscReviewId).Order());
        Assert.Equal(250, await h.TimelineCountAsync());
    }

    [Fact]
    public async Task A_feed_review_the_api_lists_only_after_the_import_is_matched_by_the_hourly_fetch()
    {
        await using var h = await IngestionHarness.StartAsync();
        var (api, feed) = Copies(5, Newest, 8_000_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, feed);
        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, api[1..]); // the newest is not in App Store Connect's list yet
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();
        h.TakeBatches();

        h.Asc.SetReviews(h.StoreAppId, api[..1]);
        await h.FetchAsync();

        var rows = await h.StoredReviewsAsync();
        Assert.Equal(5, rows.Count);
        Assert.Equal(api[0].Id, rows.Single(r => r.ReviewId == feed[0].Id).AscReviewId);
        // Newer than the import's watermark, it is handed on again under its stored id (the ledger absorbs a repeat).
        Assert.Equal([feed[0].Id], h.TakeBatches().SelectMany(b => b.ReviewIds));
    }

    [Fact]
    public async Task Feed_reviews_indexed_before_matching_existed_are_matched_through_their_review_rows()
    {
        await using var h = await IngestionHarness.StartAsync();
        var (api, feed) = Copies(120, Newest, 8_000_000_000);
        h.Feed.SetReviews("us", h.StoreAppId, feed);
        await h.FetchAsync();
        // Timeline rows as the previous version wrote them: no source, alias or content key.
        var timeline = h.App.Get<TableServiceClient>().GetTableClient(ReviewTables.ReviewTimeline);
        await foreach (var row in timeline.QueryAsync<TableEntity>(r => r.PartitionKey == h.World.AppId))
        {
            row.Remove(nameof(ReviewTimelineEntity.Source));
            row.Remove(nameof(ReviewTimelineEntity.ContentKey));
            row.Remove(nameof(ReviewTimelineEntity.AliasId));
            await timeline.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        }
        h.Asc.SetReviews(h.StoreAppId, api);
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();

        var rows = await h.StoredReviewsAsync();
        Assert.Equal(120, rows.Count);
        Assert.All(rows, r => Assert.NotNull(r.AscReviewId));
    }
}

/// <summary>The matching rule on its own: normalisation, the date tolerance, and doubt on either side.</summary>
public sealed class ReviewMatchingRuleTests
{
    private static readonly DateTimeOffset At = new(2026, 7, 1, 10, 0, 0, TimeSpan.Zero);

    private static FetchedReview Api(
        string id, DateTimeOffset? at = null, string title = "Great app", string body = "Love it.",
        string nickname = "Alex", int rating = 5, string territory = "USA") =>
        new(id, rating, title, body, nickname, territory, at ?? At, null);

    private static MatchCandidate Stored(
        string id, DateTimeOffset? at = null, string title = "Great app", string body = "Love it.",
        string nickname = "Alex", int rating = 5, string territory = "USA") =>
        new(id, territory, rating, at ?? At, ReviewMatching.ContentKey(nickname, title, body),
            ReviewMatching.NicknameKey(nickname));

    [Theory]
    [InlineData("Love it.", "  Love\r\nit. \n")]
    [InlineData("Caf\u00e9", "Cafe\u0301")]
    public void White_space_and_unicode_forms_do_not_matter(string text, string variant) =>
        Assert.Equal(ReviewMatching.ContentKey("Alex", "t", text), ReviewMatching.ContentKey("Alex ", "t", variant));

    [Theory]
    [InlineData("great app")]
    [InlineData("Great app!")]
    [InlineData("Great apps")]
    public void Case_and_punctuation_do(string title) =>
        Assert.NotEqual(
            ReviewMatching.ContentKey("Alex", "Great app", "x"), ReviewMatching.ContentKey("Alex", title, "x"));

    [Fact]
    public void Dates_match_within_ten_minutes_either_way()
    {
        var pairs = ReviewMatching.Pair(
            [
                Api("a", At.AddMinutes(10)), Api("b", At.AddDays(1).AddMinutes(-10)),
                Api("c", At.AddDays(2).AddSeconds(601)),
            ],
            [Stored("f1"), Stored("f2", At.AddDays(1)), Stored("f3", At.AddDays(2))]);

        Assert.Equal(["a", "b"], pairs.Keys.Order());
    }

    [Fact]
    public void Territory_rating_nickname_title_and_body_must_all_be_equal()
    {
        var pairs = ReviewMatching.Pair(
            [Api("t", territory: "GBR"), Api("r", rating: 4), Api("n", nickname: "alex"), Api("h", title: "Great"),
             Api("b", body: "Love it. Update: fixed.")],
            [Stored("f")]);

        Assert.Empty(pairs);
    }

    [Fact]
    public void A_review_edited_between_the_reads_pairs_by_nickname_and_the_same_instant()
    {
        var pairs = ReviewMatching.Pair(
            [
                Api("edited", body: "Love it. Update: fixed.", rating: 4),
                Api("title", At.AddDays(1).AddSeconds(2), title: "Great app, fixed"),
            ],
            [Stored("f1"), Stored("f2", At.AddDays(1))]);

        Assert.Equal(("f1", true), (pairs["edited"].Candidate.ReviewId, pairs["edited"].Edited));
        Assert.Equal(("f2", true), (pairs["title"].Candidate.ReviewId, pairs["title"].Edited));
    }

    [Fact]
    public void The_edit_rule_needs_the_nickname_the_territory_and_the_same_instant()
    {
        var pairs = ReviewMatching.Pair(
            [
                Api("later", At.AddSeconds(3), body: "Edited."),
                Api("nickname", At.AddDays(1), body: "Edited.", nickname: "Alexa"),
                Api("territory", At.AddDays(2), body: "Edited.", territory: "GBR"),
            ],
            [Stored("f1"), Stored("f2", At.AddDays(1)), Stored("f3", At.AddDays(2))]);

        Assert.Empty(pairs);
    }

    [Fact]
    public void The_edit_rule_leaves_doubt_alone()
    {
        // A look-alike posted with the original: the original takes the stored row by content, the look-alike stays.
        var withOriginal = ReviewMatching.Pair([Api("original"), Api("lookalike", body: "Edited.")], [Stored("f1")]);
        // Two stored rows of one nickname at that instant, or two reviews claiming one row: no pair.
        var twoCandidates = ReviewMatching.Pair(
            [Api("a", body: "Edited.")], [Stored("f1"), Stored("f2", At.AddSeconds(1), body: "Other.")]);
        var twoClaims = ReviewMatching.Pair(
            [Api("a", body: "Edited."), Api("b", At.AddSeconds(1), body: "Other.")], [Stored("f1")]);
        // Twins the content rule finds ambiguous are not paired by date instead.
        var twins = ReviewMatching.Pair(
            [Api("a"), Api("b", At.AddMinutes(3))], [Stored("f1"), Stored("f2", At.AddMinutes(3))]);

        Assert.Equal(("f1", false), (withOriginal["original"].Candidate.ReviewId, withOriginal["original"].Edited));
        Assert.False(withOriginal.ContainsKey("lookalike"));
        Assert.Empty(twoCandidates);
        Assert.Empty(twoClaims);
        Assert.Empty(twins);
    }

    [Fact]
    public void A_review_with_two_candidates_or_a_candidate_two_reviews_claim_stays_unmatched()
    {
        var twoCandidates = ReviewMatching.Pair([Api("a")], [Stored("f1"), Stored("f2", At.AddMinutes(3))]);
        var twoClaims = ReviewMatching.Pair([Api("a"), Api("b", At.AddMinutes(3))], [Stored("f1")]);
        var clear = ReviewMatching.Pair([Api("a"), Api("b", At.AddMinutes(3), body: "Other")], [Stored("f1")]);

        Assert.Empty(twoCandidates);
        Assert.Empty(twoClaims);
        Assert.Equal("f1", Assert.Single(clear).Value.Candidate.ReviewId);
    }
}
