using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Apps;

public sealed class AppRemovalTests
{
    private sealed class RecordingPurger : IAppDataPurger
    {
        public ConcurrentBag<string> Purged { get; } = [];

        public Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken)
        {
            Purged.Add(appId);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// The function as it runs once in-flight work has certainly ended: its clock is past the last pass.
    /// </summary>
    private static AppRemovalFunctions Later(TestApp app) => ActivatorUtilities.CreateInstance<AppRemovalFunctions>(
        app.Services,
        (TimeProvider)new Replies.ShiftedClock(AppRemovalFunctions.FinalPurgeAfter + TimeSpan.FromMinutes(1)));

    private static async Task<bool> RowExistsAsync(TestApp app, TestWorld world) =>
        (await app.Get<TableServiceClient>().GetTableClient(AppTables.Apps)
            .GetEntityIfExistsAsync<TableEntity>(world.AccountId, world.AppId)).HasValue;

    [Fact]
    public async Task Purge_runs_every_feature_purger_now_and_again_once_in_flight_work_ended_then_deletes_the_row()
    {
        var purger = new RecordingPurger();
        await using var app = await TestApp.StartAsync(configure: s => s.AddSingleton<IAppDataPurger>(purger));
        var world = await TestWorld.CreateAsync(app);
        await app.Host.DeleteAsync(world.AppPath, world.Token);
        var function = ActivatorUtilities.CreateInstance<AppRemovalFunctions>(app.Services);
        var message = Assert.Single(app.Queue.Take<AppRemoval>(AppQueues.AppRemovals));

        await function.PurgeRemovedApp(message, CancellationToken.None);
        await function.PurgeRemovedApp(message, CancellationToken.None); // duplicate delivery

        Assert.Equal([world.AppId, world.AppId], purger.Purged);
        Assert.True(await RowExistsAsync(app, world)); // the tombstone stays for the last pass
        var lastPasses = app.Queue.Take<AppRemoval>(AppQueues.AppRemovals);
        Assert.Equal([message, message], lastPasses); // each pass sent the last one, delayed to FinalPurgeAfter

        // A last pass that comes early (e.g. replayed from the poison queue) is not the last.
        await function.PurgeRemovedApp(lastPasses[0], CancellationToken.None);
        Assert.True(await RowExistsAsync(app, world));
        Assert.Single(app.Queue.Take<AppRemoval>(AppQueues.AppRemovals));

        foreach (var pass in lastPasses)
        {
            await Later(app).PurgeRemovedApp(pass, CancellationToken.None);
        }

        Assert.Equal(4, purger.Purged.Count); // the second last pass found no tombstone: nothing more to do
        Assert.False(await RowExistsAsync(app, world));
        Assert.Empty(app.Queue.Take<AppRemoval>(AppQueues.AppRemovals));
    }

    [Fact]
    public void The_last_purge_pass_waits_longer_than_any_invocation_may_run()
    {
        // In-flight work ends within host.json's functionTimeout (the host restarts the worker then); the last pass
        // must come later.
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.FunctionAppOutput, "host.json")));
        var timeout = TimeSpan.Parse(host.RootElement.GetProperty("functionTimeout").GetString()!,
            CultureInfo.InvariantCulture);

        Assert.True(timeout + TimeSpan.FromMinutes(5) <= AppRemovalFunctions.FinalPurgeAfter,
            $"functionTimeout {timeout} leaves too little margin before the last purge pass " +
            $"({AppRemovalFunctions.FinalPurgeAfter})");
    }

    [Fact]
    public async Task A_purge_message_for_a_live_app_deletes_nothing()
    {
        var purger = new RecordingPurger();
        await using var app = await TestApp.StartAsync(configure: s => s.AddSingleton<IAppDataPurger>(purger));
        var world = await TestWorld.CreateAsync(app);

        await ActivatorUtilities.CreateInstance<AppRemovalFunctions>(app.Services)
            .PurgeRemovedApp(new AppRemoval(world.AccountId, world.AppId), CancellationToken.None);

        Assert.Empty(purger.Purged);
        Assert.Equal(200, (await app.Host.GetAsync(world.AppPath, world.Token)).Status);
    }

    [Fact]
    public async Task Removing_again_resends_the_purge_so_a_lost_message_is_repaired()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        Assert.Equal(204, (await app.Host.DeleteAsync(world.AppPath, world.Token)).Status);
        Assert.Equal(204, (await app.Host.DeleteAsync(world.AppPath, world.Token)).Status);

        Assert.Equal(2, app.Queue.Sent<AppRemoval>(AppQueues.AppRemovals).Count);
    }

    private sealed class FailsOncePurger : IAppDataPurger
    {
        public int Calls { get; private set; }

        public Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken) =>
            ++Calls == 1 ? throw new InvalidOperationException("storage blipped mid-purge") : Task.CompletedTask;
    }

    [Fact]
    public async Task A_purge_interrupted_half_way_is_finished_by_the_redelivered_message()
    {
        var purger = new FailsOncePurger();
        await using var app = await TestApp.StartAsync(configure: s => s.AddSingleton<IAppDataPurger>(purger));
        var world = await TestWorld.CreateAsync(app);
        await app.Host.DeleteAsync(world.AppPath, world.Token);
        var message = Assert.Single(app.Queue.Take<AppRemoval>(AppQueues.AppRemovals));
        var function = ActivatorUtilities.CreateInstance<AppRemovalFunctions>(app.Services);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            function.PurgeRemovedApp(message, CancellationToken.None));
        var tombstone = await app.Get<TableServiceClient>().GetTableClient(
            AppTables.Apps).GetEntityIfExistsAsync<TableEntity>(world.AccountId, world.AppId);
        Assert.True(tombstone.HasValue); // the row is deleted last, so the retry can still find what to purge

        await Later(app).PurgeRemovedApp(message, CancellationToken.None);

        Assert.Equal(2, purger.Calls);
        Assert.False(await RowExistsAsync(app, world));
    }

    [Fact]
    public async Task A_removal_that_stopped_before_freeing_the_store_id_does_not_block_registering_the_app_again()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app, storeAppId: "777000111");
        // Tombstoned, but the store-id row was never deleted (the removal stopped in between).
        await app.Get<TableServiceClient>().GetTableClient(AppTables.Apps).UpdateAsync<AppEntity>(world.AccountId,
            world.AppId, a =>
        {
            a.DeletedAt = DateTimeOffset.UtcNow;
            return true;
        });

        var again = await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token,
            new { storeAppId = "777000111", platform = "ios", name = "Back", territories = new[] { "USA" } });

        Assert.Equal(201, again.Status);
        Assert.NotEqual(world.AppId, again.As<AppResponse>().AppId);
    }

    [Fact]
    public async Task Removing_an_app_again_after_its_store_id_was_reused_keeps_the_new_registration_unique()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app, storeAppId: "888000111");
        var body = new { storeAppId = "888000111", platform = "ios", name = "Again", territories = new[] { "USA" } };
        await app.Host.DeleteAsync(world.AppPath, world.Token);
        var successor = (await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, body)).As<AppResponse>();

        // a client retrying the old removal
        Assert.Equal(204, (await app.Host.DeleteAsync(world.AppPath, world.Token)).Status);

        Assert.Equal(409, (await app.Host.PostAsync($"{world.AccountPath}/apps", world.Token, body)).Status);
        Assert.Equal(200, (await app.Host.GetAsync($"{world.AccountPath}/apps/{successor.AppId}", world.Token)).Status);
    }
}
