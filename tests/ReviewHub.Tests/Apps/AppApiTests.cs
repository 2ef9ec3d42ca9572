using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;

namespace ReviewHub.Tests.Apps;

public sealed class AppApiTests
{
    [Fact]
    public async Task Registers_lists_reads_updates_and_removes_an_app()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app, storeAppId: "1234567890");

        var read = await app.Host.GetAsync(world.AppPath, world.Token);
        Assert.Equal(200, read.Status);
        var registered = read.As<AppResponse>();
        Assert.Equal(("1234567890", "ios", "Acme Notes"), (registered.StoreAppId, registered.Platform,
            registered.Name));
        Assert.Equal(["USA", "GBR"], registered.Territories);

        var list = await app.Host.GetAsync($"{world.AccountPath}/apps", world.Token);
        Assert.Equal(world.AppId, Assert.Single(list.Json.GetProperty("items").EnumerateArray()).GetProperty("appId")
            .GetString());

        var updated = await app.Host.PatchAsync(world.AppPath, world.Token, new { name = "Acme Notes Pro", territories =
            new[] { "DEU" } });
        Assert.Equal(200, updated.Status);
        Assert.Equal(("Acme Notes Pro", "DEU"), (updated.As<AppResponse>().Name,
            Assert.Single(updated.As<AppResponse>().Territories)));

        var removed = await app.Host.DeleteAsync(world.AppPath, world.Token);
        Assert.Equal(204, removed.Status);
        Assert.Equal(404, (await app.Host.GetAsync(world.AppPath, world.Token)).Status);
        Assert.Empty((await app.Host.GetAsync($"{world.AccountPath}/apps", world.Token)).Json.GetProperty("items")
            .EnumerateArray());
        Assert.Equal(new AppRemoval(world.AccountId, world.AppId),
            Assert.Single(app.Queue.Sent<AppRemoval>(AppQueues.AppRemovals)));
    }

    [Fact]
    public async Task Registering_the_same_store_app_twice_in_an_account_conflicts_until_it_is_removed()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app, storeAppId: "555000111");
        var again = new { storeAppId = "555000111", platform = "ios", name = "Dup", territories = new[] { "USA" } };

        var conflict = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, again);
        Assert.Equal(409, conflict.Status);
        Assert.Equal("application/problem+json", conflict.ContentType);

        var macos = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, again with { platform =
            "macos" });
        Assert.Equal(201, macos.Status);

        await app.Host.DeleteAsync(world.AppPath, world.Token);
        Assert.Equal(201, (await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, again)).Status);
    }

    public static TheoryData<string, string> InvalidRegistrations => new()
    {
        { "{not json", "body" },
        { "[]", "body" },
        { """{"platform":"ios","name":"A","territories":["USA"]}""", "storeAppId" },
        { """{"storeAppId":"12ab","platform":"ios","name":"A","territories":["USA"]}""", "storeAppId" },
        { """{"storeAppId":"123","platform":"windows","name":"A","territories":["USA"]}""", "platform" },
        { """{"storeAppId":"123","platform":"ios","name":"  ","territories":["USA"]}""", "name" },
        { """{"storeAppId":"123","platform":"ios","name":"A","territories":["US"]}""", "territories" },
        { """{"storeAppId":"123","platform":"ios","name":"A","territories":["usa"]}""", "territories" },
        { """{"storeAppId":"123","platform":"ios","name":"A","territories":[]}""", "territories" },
        { """{"storeAppId":"123","platform":"ios","name":"A"}""", "territories" },
        { """{"storeAppId":123,"platform":"ios","name":"A","territories":["USA"]}""", "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task Invalid_registration_answers_400_problem_details_and_writes_nothing(string body, string field)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var apps = app.Get<TableServiceClient>().GetTableClient(AppTables.Apps);
        var rowsBefore = await CountRowsAsync(apps, world.AccountId);

        var response = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(400, response.Json.GetProperty("status").GetInt32());
        if (field != "body")
        {
            Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
        }
        Assert.Equal(rowsBefore, await CountRowsAsync(apps, world.AccountId));
    }

    [Fact]
    public async Task Invalid_update_answers_400_and_changes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        Assert.Equal(400, (await app.Host.PatchAsync(world.AppPath, world.Token, new { territories = new[] { "XXX" } }))
            .Status);
        Assert.Equal(400, (await app.Host.PatchAsync(world.AppPath, world.Token, new { })).Status);

        var read = (await app.Host.GetAsync(world.AppPath, world.Token)).As<AppResponse>();
        Assert.Equal(["USA", "GBR"], read.Territories);
    }

    private static async Task<int> CountRowsAsync(TableClient table, string partition)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition))
        {
            count++;
        }
        return count;
    }

    /// <summary>Fails the first time it sees <see cref="StoreAppId"/>, like a storage blip after the app row was
    /// written.</summary>
    private sealed class FlakyListener : IAppRegisteredListener
    {
        public const string StoreAppId = "4242424242";
        private bool failed;

        public List<string> Seen { get; } = [];

        public Task OnRegisteredAsync(AppEntity app, CancellationToken cancellationToken)
        {
            if (app.StoreAppId == StoreAppId && !failed)
            {
                failed = true;
                throw new InvalidOperationException("storage blipped");
            }
            Seen.Add(app.AppId);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_retried_registration_whose_listener_failed_repairs_it_for_the_existing_app()
    {
        var listener = new FlakyListener();
        await using var app = await TestApp.StartAsync(configure: s => s.AddSingleton<IAppRegisteredListener>(
            listener));
        var world = await TestWorld.CreateAsync(app);
        var body = new { storeAppId = FlakyListener.StoreAppId, platform = "ios", name = "Retry", territories = new[]
            { "USA" } };

        var failed = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, body);
        Assert.Equal(500, failed.Status);
        Assert.DoesNotContain("storage blipped", failed.Body);
        var retried = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, body);

        Assert.Equal(409, retried.Status);
        var existing = (await app.Host.GetAsync($"{world.AccountPath}/apps", world.Token)).Json.GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("storeAppId").GetString() == FlakyListener.StoreAppId).GetProperty("appId")
                .GetString();
        Assert.Equal(existing, listener.Seen.Last());
    }
}
