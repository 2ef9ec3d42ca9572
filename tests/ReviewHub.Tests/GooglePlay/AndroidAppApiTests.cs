using Azure.Data.Tables;
using ReviewHub.Apps;
using ReviewHub.GooglePlay;
using ReviewHub.Tests.Reviews;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>Android apps in the Apps API: registered by package name, listed and filtered by store.</summary>
public sealed class AndroidAppApiTests
{
    private static object Android(string packageName, string name = "Acme Android") =>
        new { storeAppId = packageName, platform = "android", name };

    [Fact]
    public async Task An_android_app_registers_by_package_name_and_lists_under_its_store()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var created = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, Android("com.acme.notes_app"));

        Assert.Equal(201, created.Status);
        var android = created.As<AppResponse>();
        Assert.Equal(("com.acme.notes_app", "android", Stores.GooglePlay),
            (android.StoreAppId, android.Platform, android.Store));
        Assert.Empty(android.Territories);
        var all = await app.Host.GetAsync($"{world.AccountPath}/apps", world.Token);
        Assert.Equal(2, all.Json.GetProperty("items").GetArrayLength());
        var play = await app.Host.GetAsync($"{world.AccountPath}/apps?store=googlePlay", world.Token);
        Assert.Equal(android.AppId,
            Assert.Single(play.Json.GetProperty("items").EnumerateArray()).GetProperty("appId").GetString());
        var apple = await app.Host.GetAsync($"{world.AccountPath}/apps?store=appStore", world.Token);
        var ios = Assert.Single(apple.Json.GetProperty("items").EnumerateArray());
        Assert.Equal((world.AppId, "appStore"),
            (ios.GetProperty("appId").GetString(), ios.GetProperty("store").GetString()));

        var apps = $"{world.AccountPath}/apps";
        var duplicate = await app.Host.PostAsync(apps, world.Token, Android("com.acme.notes_app"));
        Assert.Equal(409, duplicate.Status);
        var otherCase = await app.Host.PostAsync(apps, world.Token, Android("com.acme.Notes_app"));
        Assert.Equal(201, otherCase.Status); // Play's package names are case-sensitive
    }

    public static TheoryData<string, string> InvalidAndroidRegistrations => new()
    {
        { """{"storeAppId":"notes","platform":"android","name":"A"}""", "storeAppId" },
        { """{"storeAppId":"com..acme","platform":"android","name":"A"}""", "storeAppId" },
        { """{"storeAppId":"com.1acme","platform":"android","name":"A"}""", "storeAppId" },
        { """{"storeAppId":"com.acme-notes","platform":"android","name":"A"}""", "storeAppId" },
        { """{"storeAppId":"com.acme.","platform":"android","name":"A"}""", "storeAppId" },
        { """{"storeAppId":"1234567890","platform":"android","name":"A"}""", "storeAppId" },
        { """{"storeAppId":"https://play.google.com/store/apps/details?id=com.acme","platform":"android","name":"A"}""",
            "storeAppId" },
        { """{"storeAppId":"com.acme.notes","platform":"android","name":"A","territories":["USA"]}""", "territories" },
        { """{"storeAppId":"com.acme.notes","platform":"ios","name":"A","territories":["USA"]}""", "storeAppId" },
        { $$"""{"storeAppId":"com.{{new string('a', PackageNames.MaxLength)}}","platform":"android","name":"A"}""",
            "storeAppId" },
    };

    [Theory]
    [MemberData(nameof(InvalidAndroidRegistrations))]
    public async Task An_invalid_android_registration_answers_400_and_writes_nothing(string body, string field)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var apps = app.Get<TableServiceClient>().GetTableClient(AppTables.Apps);
        var before = await apps.QueryAsync<TableEntity>(e => e.PartitionKey == world.AccountId).CountAsync();

        var response = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
        Assert.Equal(before, await apps.QueryAsync<TableEntity>(e => e.PartitionKey == world.AccountId).CountAsync());
    }

    [Fact]
    public async Task An_unknown_store_filter_and_territories_on_an_android_app_answer_400()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var android = (await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, Android("com.acme.notes")))
            .As<AppResponse>();
        var path = $"{world.AccountPath}/apps/{android.AppId}";

        var filter = await app.Host.GetAsync($"{world.AccountPath}/apps?store=playStore", world.Token);
        Assert.Equal(400, filter.Status);
        Assert.True(filter.Json.GetProperty("errors").TryGetProperty("store", out _), filter.Body);
        var territories = await app.Host.PatchAsync(path, world.Token, new { territories = new[] { "USA" } });
        Assert.Equal(400, territories.Status);
        Assert.Empty((await app.Host.GetAsync(path, world.Token)).As<AppResponse>().Territories);
        var renamed = await app.Host.PatchAsync(path, world.Token, new { name = "Acme for Android" });
        Assert.Equal(("Acme for Android", Stores.GooglePlay),
            (renamed.As<AppResponse>().Name, renamed.As<AppResponse>().Store));
    }

    [Fact]
    public async Task An_android_app_is_never_linked_to_an_App_Store_Connect_connection()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var android = (await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, Android("com.acme.notes")))
            .As<AppResponse>();
        var connectionId = ReviewHub.Integrations.ConnectionIds.For("Acme");

        // Even an App Store app with the same store id as the package name would not match: only App Store apps link.
        var linked = await app.Get<ReviewHub.Integrations.ConnectionAppLinker>().LinkAsync(world.AccountId,
            connectionId, [new("com.acme.notes", "Acme Notes", "com.acme.notes", ["IOS"])], CancellationToken.None);

        Assert.DoesNotContain(linked, l => l.AppId == android.AppId);
        Assert.Null(await app.Get<ReviewHub.Integrations.IntegrationStore>().GetAsync(world.AccountId, android.AppId,
            CancellationToken.None));
    }
}

/// <summary>The Reviews API names each review's store and filters by it.</summary>
public sealed class ReviewStoreFilterTests
{
    [Fact]
    public async Task Reviews_show_their_store_and_a_filter_for_another_store_answers_an_empty_page()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReviewTestData.SeedAsync(app, world, [ReviewTestData.Review("r1"), ReviewTestData.Review("r2")]);

        var all = await app.Host.GetAsync($"{world.AppPath}/reviews", world.Token);
        Assert.All(all.Json.GetProperty("items").EnumerateArray(),
            review => Assert.Equal(Stores.AppStore, review.GetProperty("store").GetString()));
        var same = await app.Host.GetAsync($"{world.AppPath}/reviews?store=appStore", world.Token);
        Assert.Equal(2, same.Json.GetProperty("items").GetArrayLength());
        var other = await app.Host.GetAsync($"{world.AppPath}/reviews?store=googlePlay", world.Token);
        Assert.Equal((200, 0), (other.Status, other.Json.GetProperty("items").GetArrayLength()));
        var bad = await app.Host.GetAsync($"{world.AppPath}/reviews?store=amazon", world.Token);
        Assert.Equal(400, bad.Status);
        Assert.True(bad.Json.GetProperty("errors").TryGetProperty("store", out _), bad.Body);
    }
}
