using System.Collections.Concurrent;
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

    [Fact]
    public async Task Purge_runs_every_feature_purger_then_deletes_the_row_and_is_safe_to_repeat()
    {
        var purger = new RecordingPurger();
        await using var app = await TestApp.StartAsync(configure: s => s.AddSingleton<IAppDataPurger>(purger));
        var world = await TestWorld.CreateAsync(app);
        await app.Host.DeleteAsync(world.AppPath, world.Token);
        var function = ActivatorUtilities.CreateInstance<AppRemovalFunction>(app.Services);

        var message = Assert.Single(app.Queue.Take<AppRemoval>(QueueNames.AppRemovals));

        await function.PurgeRemovedApp(message, CancellationToken.None);
        await function.PurgeRemovedApp(message, CancellationToken.None); // duplicate delivery

        Assert.Equal([world.AppId], purger.Purged);
        var row = await app.Get<TableServiceClient>().GetTableClient(TableNames.Apps).GetEntityIfExistsAsync<TableEntity>(world.AccountId, world.AppId);
        Assert.False(row.HasValue);
    }

    [Fact]
    public async Task A_purge_message_for_a_live_app_deletes_nothing()
    {
        var purger = new RecordingPurger();
        await using var app = await TestApp.StartAsync(configure: s => s.AddSingleton<IAppDataPurger>(purger));
        var world = await TestWorld.CreateAsync(app);

        await ActivatorUtilities.CreateInstance<AppRemovalFunction>(app.Services)
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

        Assert.Equal(2, app.Queue.Sent<AppRemoval>(QueueNames.AppRemovals).Count);
    }
}
