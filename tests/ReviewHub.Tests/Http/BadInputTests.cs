using ReviewHub.Accounts;
using System.Text.Json;
using Azure.Data.Tables;

namespace ReviewHub.Tests.Http;

/// <summary>
/// Hostile ids, dates and bodies answer a 4xx that names the problem, never a 5xx, and write nothing.
/// </summary>
public sealed class BadInputTests
{
    public static TheoryData<string> KeyBreakers =>
        new() { "a/b", "a\\b", "a#b", "a?b", "a\u0001b", "a\u007fb", new string('x', 600) };

    private static async Task<int> MembershipCountAsync(TestApp app, string accountId)
    {
        var count = 0;
        await foreach (
            var _ in app.Get<TableServiceClient>()
                .GetTableClient(AccountTables.Memberships)
                .QueryAsync<TableEntity>(e => e.PartitionKey == accountId)
        )
        {
            count++;
        }
        return count;
    }

    [Theory]
    [MemberData(nameof(KeyBreakers))]
    public async Task A_member_id_a_table_key_cannot_hold_answers_400_in_the_body_and_in_the_path(string userId)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var added = await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId });
        var removed = await app.Host.DeleteAsync(
            $"{world.AccountPath}/members/{Uri.EscapeDataString(userId)}",
            world.Token
        );

        Assert.True(added.Status == 400, added.ToString());
        Assert.True(added.Json.GetProperty("errors").TryGetProperty("userId", out _), added.Body);
        // A "/" stays percent-encoded in a path (ASP.NET Core never decodes %2F), so there it is an unknown member.
        Assert.True(removed.Status == (userId.Contains('/') ? 404 : 400), removed.ToString());
        Assert.Equal(1, await MembershipCountAsync(app, world.AccountId));
    }

    [Theory]
    [InlineData("%23")]
    [InlineData("%5C")]
    [InlineData("%3F")]
    [InlineData("%00")]
    public async Task Every_id_in_a_path_is_checked_before_any_lookup(string bad)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var operatorToken = TestTokens.For("operator-1", isOperator: true);
        var credential = new { keyId = "2X9R4HXF34", privateKey = "-----BEGIN PRIVATE KEY-----" };

        var responses = new[]
        {
            await app.Host.PostAsync(
                $"{world.AccountPath}/connections/ab{bad}cd/credential",
                operatorToken,
                credential
            ),
            await app.Host.PostAsync(
                $"/api/accounts/ab{bad}cd/connections/{world.AppId}/credential",
                operatorToken,
                credential
            ),
            await app.Host.GetAsync($"{world.AccountPath}/apps/ab{bad}cd", world.Token),
            await app.Host.GetAsync($"{world.AppPath}/reviews/ab{bad}cd", world.Token),
            await app.Host.DeleteAsync($"{world.AppPath}/routes/ab{bad}cd", world.Token),
        };

        Assert.All(responses, r => Assert.True(r.Status == 400, r.ToString()));
        Assert.All(responses, r => Assert.Equal("application/problem+json", r.ContentType));
    }

    [Theory]
    [InlineData("to=9999-12-31")]
    [InlineData("from=0001-01-01&to=9999-12-31")]
    [InlineData("to=9999-12-31T23:59:59.9999999Z")]
    public async Task Dates_at_the_edge_of_the_calendar_list_reviews(string query)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var response = await app.Host.GetAsync($"{world.AppPath}/reviews?{query}", world.Token);

        Assert.True(response.Status == 200, response.ToString());
    }

    [Fact]
    public async Task Thousands_of_bad_list_entries_answer_a_small_400_with_the_first_errors_and_a_count()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var territories = Enumerable.Range(0, 40_000).Select(i => $"X{i % 100:D2}").ToArray();
        var body = JsonSerializer.Serialize(
            new
            {
                storeAppId = "123456",
                platform = "ios",
                name = "Big",
                territories,
            }
        );

        var response = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, body);

        Assert.Equal(400, response.Status);
        Assert.True(response.Body.Length < 8 * 1024, $"{response.Body.Length} bytes");
        Assert.True(response.Json.GetProperty("totalErrors").GetInt32() > 40_000, response.Body);
        Assert.Single(
            (await app.Host.GetAsync($"{world.AccountPath}/apps", world.Token))
                .Json.GetProperty("items")
                .EnumerateArray()
        );
    }

    [Fact]
    public async Task The_replay_filter_is_read_from_a_chunked_body_too()
    {
        await using var app = await TestApp.StartAsync();
        var token = TestTokens.For("operator-1", isOperator: true);

        var chunked = await app.Host.SendAsync(
            HttpMethod.Post,
            "/api/operators/poison/app-removals/replay",
            token,
            new { maxMessages = 0 },
            chunked: true
        );
        var notAnAppId = await app.Host.SendAsync(
            HttpMethod.Post,
            "/api/operators/poison/app-removals/replay",
            token,
            new { appId = "x#y" },
            chunked: true
        );

        Assert.True(chunked.Status == 400, chunked.ToString());
        Assert.True(notAnAppId.Status == 400, notAnAppId.ToString());
        var empty = await app.Host.SendAsync(
            HttpMethod.Post,
            "/api/operators/poison/app-removals/replay",
            token,
            "",
            chunked: true
        );
        Assert.True(empty.Status == 200, empty.ToString());
    }

    [Fact]
    public void Validation_errors_keep_the_first_twenty_and_count_the_rest()
    {
        var errors = new ReviewHub.Http.ValidationErrors();
        for (var i = 0; i < 1000; i++)
        {
            errors.Add($"field{i % 3}", $"error {i}");
        }

        Assert.Equal(1000, errors.Count);
        Assert.Equal(ReviewHub.Http.ValidationErrors.MaxReported, errors.ToDictionary().Sum(e => e.Value.Length));
    }
}
