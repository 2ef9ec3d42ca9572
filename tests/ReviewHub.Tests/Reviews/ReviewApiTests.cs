using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Reviews;

public sealed class ReviewApiTests
{
    private static readonly DateTimeOffset Day = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>12 reviews, one per day from July 1 (newest = r11), ratings 1..5 round, even ones in GBR, r3 with an
    /// App Store response.</summary>
    private static async Task<(TestApp App, TestWorld World)> SeededAsync()
    {
        var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReviewTestData.SeedAsync(app, world, Enumerable.Range(0, 12).Select(i => ReviewTestData.Review(
            $"r{i}", rating: 1 + i % 5, territory: i % 2 == 0 ? "GBR" : "USA", createdAt: Day.AddDays(i).AddHours(10),
            response: i == 3 ? new FetchedResponse("resp-3", "Thanks!", "PUBLISHED", Day.AddDays(4)) : null)).ToList());
        return (app, world);
    }

    private static List<string> Ids(TestResponse response) =>
        response.Json.GetProperty("items").EnumerateArray().Select(i =>
            i.GetProperty("reviewId").GetString()!).ToList();

    [Fact]
    public async Task Lists_newest_first_and_pages_with_a_continuation_token()
    {
        var (app, world) = await SeededAsync();
        await using var owned = app;
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await app.Host.GetAsync(
                $"{world.AppPath}/reviews?limit=5{(token is null ? "" : $"&continuationToken={token}")}", world.Token);
            Assert.Equal(200, page.Status);
            seen.AddRange(Ids(page));
            token = page.Json.TryGetProperty("continuationToken", out var next)
                && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(Enumerable.Range(0, 12).Reverse().Select(i => $"r{i}"), seen);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("rating=1,2", "r11,r10,r6,r5,r1,r0")]
    [InlineData("territory=USA&rating=5", "r9")]
    [InlineData("territory=GBR&rating=5", "r4")]
    [InlineData("replied=true", "r3")]
    [InlineData("replied=false&from=2026-07-09", "r11,r10,r9,r8")]
    [InlineData("from=2026-07-02&to=2026-07-04", "r3,r2,r1")]
    [InlineData("to=2026-07-01T23:59:59Z", "r0")]
    public async Task Filters_narrow_the_list(string query, string expected)
    {
        var (app, world) = await SeededAsync();
        await using var owned = app;

        var response = await app.Host.GetAsync($"{world.AppPath}/reviews?{query}", world.Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, string.Join(',', Ids(response)));
    }

    [Theory]
    [InlineData("Queued", "r7,r3")]
    [InlineData("PendingPublish", "r7,r3")]
    [InlineData("Failed", "r3")]
    [InlineData("Deleted", "r3")]
    public async Task A_reply_written_through_reviewhub_counts_as_replied_unless_it_failed_or_was_deleted(string status,
        string expected)
    {
        var (app, world) = await SeededAsync();
        await using var owned = app;
        await app.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews).UpdateAsync<ReviewEntity>(world.AppId,
            "r7", r =>
        {
            r.ReplyStatus = status;
            r.ReplyBody = "We are on it";
            return true;
        });

        var replied = await app.Host.GetAsync($"{world.AppPath}/reviews?replied=true", world.Token);

        Assert.Equal(expected, string.Join(',', Ids(replied)));
    }

    [Theory]
    [InlineData("rating=0", "rating")]
    [InlineData("rating=five", "rating")]
    [InlineData("territory=us", "territory")]
    [InlineData("replied=maybe", "replied")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-07-05&to=2026-07-01", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("continuationToken=not-a-token", "continuationToken")]
    public async Task Invalid_filters_answer_400_with_the_field(string query, string field)
    {
        var (app, world) = await SeededAsync();
        await using var owned = app;

        var response = await app.Host.GetAsync($"{world.AppPath}/reviews?{query}", world.Token);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
    }

    [Fact]
    public async Task One_review_comes_with_its_app_store_response_and_its_reviewhub_reply()
    {
        var (app, world) = await SeededAsync();
        await using var owned = app;
        await app.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews).UpdateAsync<ReviewEntity>(world.AppId,
            "r3", r =>
        {
            r.ReplyStatus = "PendingPublish";
            r.ReplyBody = "Thanks!";
            r.ReplyUpdatedAt = Day.AddDays(4);
            return true;
        });

        var response = await app.Host.GetAsync($"{world.AppPath}/reviews/r3", world.Token);

        Assert.Equal(200, response.Status);
        var review = response.As<ReviewResponse>();
        Assert.Equal(("r3", 4, "USA", true), (review.ReviewId, review.Rating, review.Territory, review.Replied));
        Assert.Equal(new DeveloperResponse("resp-3", "Thanks!", "PUBLISHED", Day.AddDays(4)), review.DeveloperResponse);
        Assert.Equal(new ReviewReply("pendingPublish", "Thanks!", Day.AddDays(4)), review.Reply);
    }

    [Theory]
    [InlineData("unknown-review")]
    [InlineData("bad%2Fid")]
    public async Task An_unknown_review_is_404(string reviewId)
    {
        var (app, world) = await SeededAsync();
        await using var owned = app;

        Assert.Equal(404, (await app.Host.GetAsync($"{world.AppPath}/reviews/{reviewId}", world.Token)).Status);
    }

    [Fact]
    public async Task Reviews_and_replies_accept_the_same_review_ids()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var longest = new string('7', ReviewIds.MaxLength);
        await ReviewTestData.SeedAsync(app, world,
            [ReviewTestData.Review(longest, createdAt: Day), ReviewTestData.Review(longest + "7", createdAt: Day)]);
        var reader = app.Get<ReviewReader>();

        Assert.Equal(200, (await app.Host.GetAsync($"{world.AppPath}/reviews/{longest}", world.Token)).Status);
        Assert.NotNull(await reader.FindForAccountAsync(world.AccountId, world.AppId, longest, CancellationToken.None));
        Assert.Equal(404, (await app.Host.GetAsync($"{world.AppPath}/reviews/{longest}7", world.Token)).Status);
        Assert.Null(await reader.FindForAccountAsync(world.AccountId, world.AppId, longest + "7",
            CancellationToken.None));
    }

    [Fact]
    public async Task Removing_the_app_purges_its_reviews_timeline_and_schedule()
    {
        var (app, world) = await SeededAsync();
        await using var owned = app;
        Assert.NotNull(await app.Get<FetchScheduler>().GetAsync(world.AccountId, world.AppId, CancellationToken.None));
        Assert.Equal(204, (await app.Host.DeleteAsync(world.AppPath, world.Token)).Status);
        var removal = ActivatorUtilities.CreateInstance<AppRemovalFunctions>(app.Services);
        var message = Assert.Single(app.Queue.Take<AppRemoval>(AppQueues.AppRemovals));

        await removal.PurgeRemovedApp(message, CancellationToken.None);
        await app.Get<ReviewLifecycle>().PurgeAsync(world.AccountId, world.AppId, CancellationToken.None); // idempotent

        var tables = app.Get<TableServiceClient>();
        foreach (var table in new[] { ReviewTables.Reviews, ReviewTables.ReviewTimeline })
        {
            Assert.Empty(tables.GetTableClient(table).Query<TableEntity>(e => e.PartitionKey == world.AppId).ToList());
        }
        Assert.Null(await app.Get<FetchScheduler>().GetAsync(world.AccountId, world.AppId, CancellationToken.None));
    }
}
