using ReviewHub.Reviews;
using Azure.Data.Tables;
using ReviewHub.Integrations;
using ReviewHub.Replies;

namespace ReviewHub.Tests.Replies;

/// <summary>What the reply API refuses, and that a refusal writes nothing.</summary>
public sealed class ReplyApiTests
{
    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "empty", """{"body":""}""" },
        { "whitespace", """{"body":"   \n\t "}""" },
        { "missing", "{}" },
        { "too long", $$"""{"body":"{{new string('a', ReplyOptions.MaxBodyLength + 1)}}"}""" },
        { "not json", "body=hello" },
        { "wrong type", """{"body":42}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_body_answers_400_and_writes_nothing(string _, string body)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.RepliableAsync(app, world);

        var response = await app.Host.PutAsync(ReplySeeds.ReplyPath(world), world.Token, body);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        await AssertNothingWrittenAsync(app, world);
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_accepted()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.RepliableAsync(app, world);

        var response = await app.Host.PutAsync(ReplySeeds.ReplyPath(world), world.Token,
            new { body = new string('a', ReplyOptions.MaxBodyLength) });

        Assert.True(response.Status == 202, response.ToString());
        Assert.Equal(1, Assert.Single(app.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends)).Version);
    }

    public static TheoryData<string, string?, string, string> Conflicts => new()
    {
        { "none", null, nameof(IntegrationStatus.Active), ReplyFunctions.IntegrationNotActiveType },
        { "awaiting operator", nameof(IntegrationKind.FullAccess), nameof(IntegrationStatus.AwaitingOperator),
            ReplyFunctions.IntegrationNotActiveType },
        { "roles missing", nameof(IntegrationKind.ReplyToReviews), nameof(IntegrationStatus.RolesMissing),
            ReplyFunctions.IntegrationNotActiveType },
        { "aso report", nameof(IntegrationKind.AsoReport), nameof(IntegrationStatus.Active),
            ReplyFunctions.IntegrationCannotReplyType },
        { "sales report", nameof(IntegrationKind.SalesReport), nameof(IntegrationStatus.Active),
            ReplyFunctions.IntegrationCannotReplyType },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public async Task Without_an_active_integration_that_may_reply_the_put_answers_409_with_the_reason(
        string _, string? kindName, string statusName, string problemType)
    {
        IntegrationKind? kind = kindName is null ? null : Enum.Parse<IntegrationKind>(kindName);
        var status = Enum.Parse<IntegrationStatus>(statusName);
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.ReviewAsync(app, world);
        if (kind is { } k)
        {
            await ReplySeeds.IntegrationAsync(app, world, k, status);
        }

        var response = await app.Host.PutAsync(ReplySeeds.ReplyPath(world), world.Token, new { body = "Thanks!" });

        Assert.True(response.Status == 409, response.ToString());
        Assert.Equal(problemType, response.Json.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(response.Json.GetProperty("detail").GetString()));
        await AssertNothingWrittenAsync(app, world);
    }

    [Fact]
    public async Task Both_reply_kinds_may_reply()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.ReviewAsync(app, world);
        await ReplySeeds.IntegrationAsync(app, world, IntegrationKind.ReplyToReviews);

        Assert.Equal(202,
            (await app.Host.PutAsync(ReplySeeds.ReplyPath(world), world.Token, new { body = "Thanks!" })).Status);
    }

    [Fact]
    public async Task Unknown_malformed_and_other_accounts_reviews_answer_404_and_write_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var stranger = await TestWorld.CreateAsync(app);
        await ReplySeeds.RepliableAsync(app, world);
        // A review row under this app that belongs to another account must not be reachable through this account.
        await ReplySeeds.ReviewAsync(app, world, "foreign-review", accountId: stranger.AccountId);

        foreach (var reviewId in new[] { "no-such-review", "foreign-review", "bad%27id", new string('x', 200) })
        {
            var path = ReplySeeds.ReplyPath(world, reviewId);
            Assert.Equal(404, (await app.Host.PutAsync(path, world.Token, new { body = "Thanks!" })).Status);
            Assert.Equal(404, (await app.Host.GetAsync(path, world.Token)).Status);
            Assert.Equal(404, (await app.Host.GetAsync($"{path}/history", world.Token)).Status);
            Assert.Equal(404, (await app.Host.DeleteAsync(path, world.Token)).Status);
        }

        // A member of another account gets 404 for a real review of this account.
        var real = ReplySeeds.ReplyPath(world);
        Assert.Equal(404, (await app.Host.PutAsync(real, stranger.Token, new { body = "Thanks!" })).Status);
        Assert.Equal(404, (await app.Host.GetAsync(real, stranger.Token)).Status);
        await AssertNothingWrittenAsync(app, world);
    }

    [Fact]
    public async Task The_state_and_history_show_who_asked_and_when()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.RepliableAsync(app, world);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var put = await app.Host.PutAsync(ReplySeeds.ReplyPath(world), world.Token, new { body = "Thanks!" });
        Assert.EndsWith("/reply", put.Headers.Location.ToString());

        var state = (await app.Host.GetAsync(ReplySeeds.ReplyPath(world), world.Token)).As<ReplyResponse>();
        Assert.Equal((ReplyStatus.Queued, world.UserId, "Thanks!"), (state.Status, state.RequestedBy, state.Body));
        Assert.InRange(state.RequestedAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
        var history = await app.Host.GetAsync($"{ReplySeeds.ReplyPath(world)}/history", world.Token);
        var item = Assert.Single(history.Json.GetProperty("items").EnumerateArray());
        Assert.Equal("queued", item.GetProperty("outcome").GetString());
        Assert.Equal(world.UserId, item.GetProperty("requestedBy").GetString());
    }

    private static async Task AssertNothingWrittenAsync(TestApp app, TestWorld world)
    {
        Assert.Empty(app.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
        var tables = app.Get<TableServiceClient>();
        foreach (var table in new[] { ReplyTables.Replies, ReplyTables.ReplyHistory, ReplyTables.ReplyPending })
        {
            Assert.Empty(await tables.GetTableClient(table).QueryAsync<TableEntity>(e =>
                e.PartitionKey == world.AppId).ToListAsync());
        }
        var review = await tables.GetTableClient(
            ReviewTables.Reviews).GetEntityIfExistsAsync<ReviewHub.Reviews.ReviewEntity>(world.AppId,
            ReplySeeds.ReviewId);
        Assert.Null(review.HasValue ? review.Value!.ReplyStatus : null);
    }
}
