using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Secrets;
using ReviewHub.Storage;
using ReviewHub.Tests.Reviews;

namespace ReviewHub.Tests.Integrations;

/// <summary>Item 4 and 5 of issue 13: a connection in force degrades with its cause, recovers, and can be
/// disconnected.</summary>
public sealed class ConnectionHealthTests
{
    private static readonly DateTimeOffset Newest = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] FullAccessRoles = [AppStoreConnectRoles.CustomerSupport,
        AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Finance];

    private static async Task<IntegrationHarness> ActiveAsync()
    {
        var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.OperatorsAcceptAsync(FullAccessRoles);
        await h.WaitForStatusAsync(s => s.Status == "active");
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        return h;
    }

    private static Task<HealthCheckOutcome> CheckAsync(IntegrationHarness h) =>
        h.App.Get<IntegrationHealthCheck>().CheckAsync(h.World.AccountId, h.ConnectionId, CancellationToken.None);

    private static async Task<IReadOnlyList<IntegrationEventView>> EventsAsync(IntegrationHarness h)
    {
        var response = await h.App.Host.GetAsync($"{h.IntegrationPath}/events", h.World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<IntegrationEventsResponse>().Items;
    }

    [Fact]
    public async Task Disconnect_deletes_the_key_returns_the_app_to_the_feed_and_is_in_the_audit_trail_once()
    {
        await using var h = await ActiveAsync();
        var scheduler = h.App.Get<FetchScheduler>();
        Assert.Equal(ReviewSources.AppStoreConnect,
            (await scheduler.GetAsync(h.World.AccountId, h.World.AppId, CancellationToken.None))!.Source);
        var secretName = IntegrationCredentials.SecretName(h.World.AccountId, h.ConnectionId);
        Assert.NotNull(await h.App.Get<ISecretStore>().GetAsync(secretName, CancellationToken.None));
        var budgets = h.App.Get<ApiKeyBudgets>();
        await budgets.RecordAsync(secretName, new RateLimit(3600, 3500), CancellationToken.None);

        var first = await h.App.Host.DeleteAsync(h.IntegrationPath, h.World.Token);
        var again = await h.App.Host.DeleteAsync(h.IntegrationPath, h.World.Token);

        Assert.True(first.Status == 200, first.ToString());
        Assert.Equal(200, again.Status);
        var status = await h.StatusAsync();
        Assert.Equal(("disconnected", null, false), (status.Status, status.ActiveKind, status.CredentialRegistered));
        Assert.NotNull(status.DisconnectedAt);
        Assert.Null(await h.App.Get<ISecretStore>().GetAsync(secretName, CancellationToken.None));
        // The key's budget goes with the key (an app's removal leaves it: the team's other apps share it).
        Assert.Null(await budgets.RemainingAsync(secretName, TimeSpan.FromDays(1), CancellationToken.None));
        var schedule = (await scheduler.GetAsync(h.World.AccountId, h.World.AppId, CancellationToken.None))!;
        Assert.Equal(ReviewSources.Feed, schedule.Source);
        var disconnected = Assert.Single(await EventsAsync(h));
        Assert.Equal(("disconnected", h.World.UserId), (disconnected.Event, disconnected.By));
        // Nothing to check or reply with any more; replying answers the integration's absence.
        Assert.Equal(409, (await h.App.Host.PostAsync($"{h.IntegrationPath}/fixed", h.World.Token)).Status);
        Assert.Equal(HealthCheckOutcome.NotConnected, await CheckAsync(h));
        // Confirming again starts a new setup that waits for operators (the old key is gone).
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.WaitForStatusAsync(s => s.Status == "awaitingOperator");
    }

    [Fact]
    public async Task Only_the_account_owner_may_disconnect_and_a_refusal_changes_nothing()
    {
        await using var h = await ActiveAsync();
        Assert.Equal(200, (await h.App.Host.PostAsync($"{h.World.AccountPath}/members", h.World.Token,
            new { userId = "colleague", email = "colleague@customer.test" })).Status);
        var colleague = TestTokens.For("colleague", "colleague@customer.test");

        var refused = await h.App.Host.DeleteAsync(h.IntegrationPath, colleague);

        Assert.True(refused.Status == 403, refused.ToString());
        Assert.Contains("owner", refused.Body, StringComparison.Ordinal);
        Assert.Equal("active", (await h.StatusAsync()).Status);
        Assert.NotNull(await h.App.Get<ISecretStore>().GetAsync(
            IntegrationCredentials.SecretName(h.World.AccountId, h.ConnectionId), CancellationToken.None));
        Assert.Empty(await EventsAsync(h));
        // The colleague still reads the status (any member may).
        Assert.Equal(200, (await h.App.Host.GetAsync(h.IntegrationPath, colleague)).Status);

        Assert.Equal(200, (await h.App.Host.DeleteAsync(h.IntegrationPath, h.World.Token)).Status);
        var disconnected = Assert.Single(await EventsAsync(h));
        Assert.Equal(("disconnected", h.World.UserId), (disconnected.Event, disconnected.By));
    }

    [Fact]
    public async Task Disconnect_while_a_setup_waits_cancels_it_and_the_setup_writes_nothing_after()
    {
        await using var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.WaitForStatusAsync(s => s.Status == "awaitingOperator" && s.LastCheckedAt is not null);

        Assert.Equal(200, (await h.App.Host.DeleteAsync(h.IntegrationPath, h.World.Token)).Status);

        // Cancelled by the event, or Gone when its next check found the row disconnected first; either way it ended.
        Assert.Contains((await h.WaitForCompletionAsync()).ReadOutputAs<string>(), new[] { "Cancelled", "Gone" });
        Assert.Equal("disconnected", (await h.StatusAsync()).Status);
    }

    [Fact]
    public async Task
        A_fetch_in_flight_while_disconnecting_is_neither_retried_nor_poisoned_and_the_feed_schedule_stays()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, Newest, "old"));
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();
        h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(2, Newest.AddHours(1), "new"));
        var held = h.Asc.Hold(r => r.Path.Value!.EndsWith("/customerReviews", StringComparison.Ordinal));

        var fetch = h.FetchAsync();
        await held.Arrived.WaitAsync(TimeSpan.FromSeconds(30));
        var disconnected = await h.App.Host.DeleteAsync(h.IntegrationPath, h.World.Token);
        held.Release();
        var outcome = await fetch;

        Assert.True(disconnected.Status == 200, disconnected.ToString());
        Assert.NotEqual(FetchOutcomeKind.Poisoned, outcome.Kind);
        Assert.Equal(ReviewSources.Feed, (await h.ScheduleAsync()).Source); // the fetch did not switch it back
        Assert.Empty(h.App.Queue.Take<ReviewFetchRequest>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches)));
        Assert.Empty(h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
    }

    [Fact]
    public async Task A_refused_fetch_degrades_the_connection_at_once_pauses_without_poison_and_queues_a_check()
    {
        var clock = new FakeTimeProvider(Newest.AddDays(1));
        await using var h = await IngestionHarness.StartAsync(clock: clock);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, Newest, "old"));
        var key = await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();
        h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
        h.Asc.RevokeKey(key.KeyId);

        var refused = await h.FetchAsync();
        clock.Advance(TimeSpan.FromHours(1));
        h.Asc.ClearRequests();
        var paused = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Paused, FetchOutcomeKind.Paused), (refused.Kind, paused.Kind));
        Assert.Empty(h.ReviewRequests()); // no call into errors while degraded
        Assert.Empty(h.App.Queue.Take<ReviewFetchRequest>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches)));
        Assert.Empty(h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        var check = Assert.Single(
            h.App.Queue.Take<IntegrationHealthCheckRequest>(IntegrationQueues.IntegrationHealthChecks));
        Assert.Equal(h.ConnectionId, check.ConnectionId);
        var row = (await h.ConnectionAsync())!;
        Assert.Equal((nameof(IntegrationStatus.Degraded), nameof(ConnectionProblem.KeyRevoked)),
            (row.Status, row.DegradedCause));
        Assert.Equal(Newest.AddDays(1), row.DegradedAt);
        Assert.Contains("401 NOT_AUTHORIZED", (await h.ScheduleAsync()).LastError);
    }

    [Fact]
    public async Task
        The_check_names_each_cause_emails_the_owner_once_per_cause_and_a_fix_returns_to_active_with_a_fetch()
    {
        await using var h = await ActiveAsync();
        var storeAppId = (await h.App.Get<ReviewHub.Apps.AppStore>().GetAsync(h.World.AccountId, h.World.AppId,
            CancellationToken.None))!.StoreAppId;
        Assert.Equal(HealthCheckOutcome.Healthy, await CheckAsync(h));

        h.Asc.SetUserRoles(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport]);
        Assert.Equal(HealthCheckOutcome.Degraded, await CheckAsync(h));
        Assert.Equal(HealthCheckOutcome.Degraded, await CheckAsync(h)); // the next day: the same cause
        var reduced = await h.StatusAsync();
        Assert.Equal(("degraded", "rolesReduced"), (reduced.Status, reduced.DegradedCause));
        Assert.Contains("Marketing, Finance", reduced.DegradedReason);
        Assert.StartsWith(reduced.DegradedReason!, reduced.NextStep);
        Assert.Single(h.EmailsTo("lost its App Store Connect connection"));
        // Fetches pause with the reason while degraded; no call is made with the key.
        h.Asc.ClearRequests();
        var fetch = await h.App.Get<ReviewFetcher>().FetchAsync(
            new ReviewFetchRequest(h.World.AccountId, h.World.AppId), CancellationToken.None);
        Assert.Equal(FetchOutcomeKind.Paused, fetch.Kind);
        Assert.Contains("Marketing, Finance", fetch.Error);
        Assert.DoesNotContain(h.Asc.Requests, r => r.Path.EndsWith("/customerReviews", StringComparison.Ordinal));

        h.Asc.SetUserRoles(h.IntegrationEmail, FullAccessRoles);
        h.Asc.RemoveAppAccess(storeAppId);
        Assert.Equal(HealthCheckOutcome.Degraded, await CheckAsync(h));
        Assert.Equal("appAccessRemoved", (await h.StatusAsync()).DegradedCause);
        h.Asc.RestoreAppAccess(storeAppId);
        h.Asc.RemoveUser(h.IntegrationEmail);
        Assert.Equal(HealthCheckOutcome.Degraded, await CheckAsync(h));
        Assert.Equal("userRemoved", (await h.StatusAsync()).DegradedCause);
        Assert.Equal(3, h.EmailsTo("lost its App Store Connect connection").Count); // one per cause

        // App Store Connect does not answer: nothing changes.
        h.Asc.Fail(new InjectedFault(500, FakeAppStoreConnect.ErrorBody(500, "UNEXPECTED_ERROR", "Down.")), 10);
        Assert.Equal(HealthCheckOutcome.Undecided, await CheckAsync(h));
        h.Asc.ClearFaults();

        // "I fixed it": the user is back; active again without a new confirmation, and the gap is fetched at once.
        h.Asc.SetUserRoles(h.IntegrationEmail, FullAccessRoles);
        h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
        var fixedIt = await h.App.Host.PostAsync($"{h.IntegrationPath}/fixed", h.World.Token);
        Assert.True(fixedIt.Status == 200, fixedIt.ToString());
        var active = fixedIt.As<IntegrationStatusResponse>();
        Assert.Equal(("active", null, null), (active.Status, active.DegradedCause, active.DegradedReason));
        Assert.Single(h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        Assert.Equal(["recovered", "degraded", "degraded", "degraded"], (await EventsAsync(h)).Select(e => e.Event));

        // Revoked again later: told again.
        h.Asc.SetUserRoles(h.IntegrationEmail, [AppStoreConnectRoles.Marketing]);
        Assert.Equal(HealthCheckOutcome.Degraded, await CheckAsync(h));
        Assert.Equal(4, h.EmailsTo("lost its App Store Connect connection").Count);
    }

    [Fact]
    public async Task The_daily_check_degrades_a_broken_connection_emails_once_and_a_later_day_finds_it_fixed()
    {
        var clock = new FakeTimeProvider(Newest);
        await using var h = await IntegrationHarness.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        h.Asc.Clock = clock;
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.OperatorsAcceptAsync(FullAccessRoles);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var daily = ActivatorUtilities.CreateInstance<IntegrationHealthFunctions>(h.App.Services);
        h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);

        async Task<IntegrationHealthCheckRequest> NextDayAsync()
        {
            clock.Advance(TimeSpan.FromDays(1));
            await daily.QueueDailyAsync(CancellationToken.None);
            // Other tests' connections share the table: this test handles its own connection's check.
            var mine = Assert.Single(h.App.Queue.Take<IntegrationHealthCheckRequest>(
                IntegrationQueues.IntegrationHealthChecks), r => r.ConnectionId == h.ConnectionId
                    && r.AccountId == h.World.AccountId);
            await daily.CheckIntegrationHealth(mine, CancellationToken.None);
            return mine;
        }

        await NextDayAsync(); // day 1: healthy, nothing written
        Assert.Equal("active", (await h.StatusAsync()).Status);
        h.Asc.SetUserRoles(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport]);
        await NextDayAsync(); // day 2: roles reduced
        await NextDayAsync(); // day 3: still reduced, not told again
        var degraded = await h.StatusAsync();
        Assert.Equal(("degraded", "rolesReduced", "customer"), (degraded.Status, degraded.DegradedCause,
            degraded.Actor));
        Assert.Equal(Newest.AddDays(2), degraded.DegradedAt);
        Assert.Single(h.EmailsTo("lost its App Store Connect connection"));

        h.Asc.SetUserRoles(h.IntegrationEmail, FullAccessRoles);
        await NextDayAsync(); // day 4: fixed without telling ReviewHub: active again, the gap fetched at once

        Assert.Equal(("active", null), ((await h.StatusAsync()).Status, (await h.StatusAsync()).DegradedCause));
        Assert.Single(h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        Assert.Equal(["recovered", "degraded"], (await EventsAsync(h)).Select(e => e.Event));
    }

    [Fact]
    public async Task The_daily_check_beyond_its_cap_goes_on_where_it_stopped_so_every_connection_is_checked()
    {
        // Its own storage: the cursor and the connections of other tests would share the table otherwise.
        var storage = await Azurite.IsolatedConnectionStringAsync("daily-health-cursor");
        var clock = new FakeTimeProvider(Newest);
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
            ["Integrations:DailyHealthChecksPerRun"] = "3",
        }, s => s.Replace<TimeProvider>(clock));
        var world = await TestWorld.CreateAsync(app);
        var connections = Enumerable.Range(0, 7).Select(i => $"team-{i}").ToList();
        foreach (var connectionId in connections)
        {
            await app.Get<IntegrationStore>().Table.UpsertEntityAsync(new IntegrationEntity
            {
                PartitionKey = world.AccountId, RowKey = connectionId, Status = nameof(IntegrationStatus.Active),
                ActiveKind = nameof(IntegrationKind.FullAccess), CredentialReference = $"asc-{connectionId}",
            });
        }
        // Not in force: never checked.
        await app.Get<IntegrationStore>().Table.UpsertEntityAsync(new IntegrationEntity
        {
            PartitionKey = world.AccountId, RowKey = "team-cancelled", Status = nameof(IntegrationStatus.Cancelled),
        });
        var daily = ActivatorUtilities.CreateInstance<IntegrationHealthFunctions>(app.Services);

        async Task<List<string>> DayAsync()
        {
            clock.Advance(TimeSpan.FromDays(1));
            Assert.Equal(3, await daily.QueueDailyAsync(CancellationToken.None));
            return app.Queue.Take<IntegrationHealthCheckRequest>(IntegrationQueues.IntegrationHealthChecks)
                .Select(r => r.ConnectionId).ToList();
        }

        var days = new List<List<string>>();
        for (var day = 0; day < 6; day++)
        {
            days.Add(await DayAsync());
        }

        // Seven connections, three a day: every window of ceil(7 / 3) = 3 days checks each of them.
        for (var first = 0; first + 3 <= days.Count; first++)
        {
            Assert.Equal(connections, days.Skip(first).Take(3).SelectMany(d => d).Distinct().Order());
        }
        Assert.All(days, d => Assert.Equal(d.Count, d.Distinct().Count()));
        Assert.Equal(["team-0", "team-1", "team-2"], days[0]);
        Assert.Equal(["team-3", "team-4", "team-5"], days[1]);
        Assert.Equal(["team-6", "team-0", "team-1"], days[2]);
    }

    [Fact]
    public async Task A_refused_reply_degrades_the_connection_and_a_passing_check_returns_it_to_active()
    {
        await using var h = await ActiveAsync();
        var row = (await h.ConnectionAsync())!;
        var paused = await h.App.Get<IntegrationKeyRefusals>().RecordAsync(AppConnection.Of(row, h.World.AppId),
            "sending a reply",
            new AppStoreConnectException(AppStoreConnectFailure.Forbidden, HttpStatusCode.Forbidden, "FORBIDDEN_ERROR",
                "Forbidden."), CancellationToken.None);

        Assert.True(paused);
        var status = await h.StatusAsync();
        Assert.Equal(("degraded", "keyForbidden"), (status.Status, status.DegradedCause));
        // The queued check names the exact cause: here the roles are fine, so it was passing and recovers.
        Assert.Equal(HealthCheckOutcome.Healthy, await CheckAsync(h));
        Assert.Equal("active", (await h.StatusAsync()).Status);
        Assert.Empty(h.EmailsTo("lost its App Store Connect connection"));
    }
}
