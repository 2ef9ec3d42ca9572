using ReviewHub.Accounts;
using ReviewHub.Delivery;

namespace ReviewHub.Tests.Accounts;

/// <summary>
/// Configurable per-account limits answer 409 limit-exceeded with the limit's name and value, and write nothing.
/// </summary>
public sealed class LimitTests
{
    private static readonly Dictionary<string, string?> Tight = new()
    {
        ["Limits:AppsPerAccount"] = "2",
        ["Limits:RoutesPerApp"] = "1",
        ["Limits:TerritoriesPerApp"] = "2",
        ["Limits:MembersPerAccount"] = "2",
    };

    private static void AssertLimit(TestResponse response, string limit, int max)
    {
        Assert.True(response.Status == 409, response.ToString());
        Assert.Equal(AccountLimitsOptions.ProblemType, response.Json.GetProperty("type").GetString());
        Assert.Equal(limit, response.Json.GetProperty("limit").GetString());
        Assert.Equal(max, response.Json.GetProperty("max").GetInt32());
    }

    private static object App(string storeAppId, params string[] territories) =>
        new
        {
            storeAppId,
            platform = "ios",
            name = "Other",
            territories,
        };

    [Fact]
    public async Task Apps_per_account_and_territories_per_app_are_capped()
    {
        await using var app = await TestApp.StartAsync(Tight);
        var world = await TestWorld.CreateAsync(app); // its app has USA and GBR: at the territory limit

        AssertLimit(
            await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, App("111", "USA", "GBR", "FRA")),
            "TerritoriesPerApp",
            2
        );
        AssertLimit(
            await app.Host.PatchAsync(world.AppPath, world.Token, new { territories = new[] { "USA", "GBR", "FRA" } }),
            "TerritoriesPerApp",
            2
        );
        Assert.Equal(
            201,
            (await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, App("222", "USA"))).Status
        );
        AssertLimit(
            await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, App("333", "USA")),
            "AppsPerAccount",
            2
        );

        Assert.Equal(
            2,
            (await app.Host.GetAsync($"{world.AccountPath}/apps", world.Token))
                .Json.GetProperty("items")
                .GetArrayLength()
        );
        Assert.Equal(
            ["USA", "GBR"],
            (await app.Host.GetAsync(world.AppPath, world.Token)).As<ReviewHub.Apps.AppResponse>().Territories
        );
    }

    [Fact]
    public async Task Routes_per_app_and_members_per_account_are_capped()
    {
        await using var app = await TestApp.StartAsync(Tight);
        var world = await TestWorld.CreateAsync(app);
        var route = new { channel = "webhook", target = "https://hooks.customer.test/reviews" };

        Assert.Equal(201, (await app.Host.PostAsync($"{world.AppPath}/routes", world.Token, route)).Status);
        AssertLimit(await app.Host.PostAsync($"{world.AppPath}/routes", world.Token, route), "RoutesPerApp", 1);
        Assert.Equal(
            200,
            (await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId = "second" })).Status
        );
        AssertLimit(
            await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId = "third" }),
            "MembersPerAccount",
            2
        );
        // Re-adding someone who is already a member is not a new member.
        Assert.Equal(
            200,
            (await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId = "second" })).Status
        );

        Assert.Single(await app.Get<RouteStore>().ListAsync(world.AppId, CancellationToken.None));
        Assert.Equal(
            2,
            (await app.Get<AccountStore>().ListMembersAsync(world.AccountId, CancellationToken.None)).Count
        );
    }
}
