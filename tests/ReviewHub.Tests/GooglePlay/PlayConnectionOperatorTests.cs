using ReviewHub.GooglePlay;
using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Reviews;
using ReviewHub.Tests.Observability;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// Issue 15 item 2 beside issue 13 item 3: Play connections waiting on ReviewHub's operators are in the operators' one
/// work list and alert; past the customer's deadline while operators must act the connection is not failed, the owner
/// hears of the delay once, and it completes when they act. The grant probe's reads count in the app's Play read
/// budget.
/// </summary>
public sealed class PlayConnectionOperatorTests
{
    /// <summary>Monday 2026-07-06 09:00 UTC (the tests' business calendar is UTC without holidays).</summary>
    private static readonly DateTimeOffset Monday = new(2026, 7, 6, 9, 0, 0, TimeSpan.Zero);

    private const string WorkList = "/api/operators/connections/waiting";

    [Fact]
    public async Task Operators_late_past_the_deadline_do_not_fail_it_the_owner_hears_once_it_completes_when_they_act()
    {
        // Isolated storage: the work list and its gauge count every account's connections.
        var storage = await Azurite.IsolatedConnectionStringAsync("play-operator-work");
        await using var h = await PlayConnectionHarness.StartAsync(Monday, new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
        });
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        var monitor = h.App.Get<OperatorWorkFunctions>();
        Assert.Equal(403, (await h.App.Host.GetAsync(WorkList, h.World.Token)).Status);

        // The Android app is registered: the operators owe the account its service account.
        var waiting = Assert.Single((await WorkAsync(h)).Items);
        Assert.Equal((h.World.AccountId, "googlePlay", "googlePlay", "awaitingServiceAccount", "invitation", Monday),
            (waiting.AccountId, waiting.ConnectionId, waiting.Store, waiting.Status, waiting.Method,
                waiting.WaitingSince));
        h.Clock.SetUtcNow(Monday.AddHours(5));
        var overdue = Assert.Single((await WorkAsync(h)).Items);
        Assert.Equal((5.0, true), (overdue.WorkingHoursWaited, overdue.Overdue));
        await monitor.MeasureAsync(CancellationToken.None);
        Assert.Equal([1.0], recorded.Values(ReviewHubMetrics.Names.IntegrationsOperatorsOverdue));

        var email = (await h.ProvisionAsync()).ServiceAccountEmail!;
        Assert.Empty((await WorkAsync(h)).Items); // the customer's turn: invite
        h.Play.Invite(email, PlayConnectionHarness.Package, TimeSpan.Zero);
        h.Play.DeleteKey(email); // ...but Google refuses the key ReviewHub holds: the operators' turn again
        var invited = await h.ConfirmInvitedAsync();
        Assert.Equal(202, invited.Status);
        var deadline = invited.As<PlayConnectionResponse>().Deadline!.Value; // Thursday 14:00
        var stuck = await h.WaitForStatusAsync(s => s.Actor == "operators");
        Assert.Equal(("verifying", h.Clock.GetUtcNow()), (stuck.Status, stuck.OperatorsWaitingSince));
        Assert.Equal("verifying", Assert.Single((await WorkAsync(h)).Items).Status);

        h.Clock.SetUtcNow(deadline.AddDays(1)); // the deadline passed while operators had to act
        await h.CheckedNowAsync();
        h.Clock.Advance(TimeSpan.FromHours(1));
        var late = await h.CheckedNowAsync();
        Assert.Equal(("verifying", "operators"), (late.Status, late.Actor));
        var told = Assert.Single(await h.EmailsOnceSentAsync("ReviewHub is late"));
        Assert.Contains("not yours", told.PlainText, StringComparison.Ordinal);
        Assert.Empty(h.EmailsTo("setup stopped"));
        Assert.True(Assert.Single((await WorkAsync(h)).Items).Overdue);
        await monitor.MeasureAsync(CancellationToken.None);
        Assert.Equal([1.0, 1.0], recorded.Values(ReviewHubMetrics.Names.IntegrationsOperatorsOverdue));

        await h.ProvisionAsync(email); // operators store a new key of the same service account
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var active = await h.StatusAsync();
        Assert.Equal(("active", null), (active.Status, active.OperatorsWaitingSince));
        Assert.True(active.Deadline > deadline); // their wait went back to the customer's time
        Assert.Single(h.EmailsTo("connected to Google Play"));
        Assert.Single(h.EmailsTo("ReviewHub is late"));
        Assert.Empty((await WorkAsync(h)).Items);
        await monitor.MeasureAsync(CancellationToken.None);
        Assert.Equal([1.0, 1.0, 0.0], recorded.Values(ReviewHubMetrics.Names.IntegrationsOperatorsOverdue));
    }

    [Fact]
    public async Task The_grant_probes_reads_count_in_the_apps_Play_budget_so_a_fetch_after_them_waits_an_hour()
    {
        await using var h = await PlayConnectionHarness.StartAsync(Monday, new Dictionary<string, string?>
        {
            ["Reviews:PlayReadsPerHour"] = "3",
        });
        await h.ProvisionAsync();
        h.Play.Invite(h.ServiceAccount!.ClientEmail, PlayConnectionHarness.Package, TimeSpan.Zero);
        Assert.Equal(202, (await h.ConfirmInvitedAsync()).Status);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>()); // one read
        var health = h.App.Get<PlayConnectionHealth>();
        for (var check = 0; check < 2; check++)
        {
            Assert.Equal(PlayHealthOutcome.Healthy, await health.CheckAsync(h.World.AccountId,
                CancellationToken.None));
        }
        var schedule = await h.App.Get<FetchScheduler>().GetAsync(h.World.AccountId, h.AppId,
            CancellationToken.None);
        Assert.Equal((Monday, 3), (schedule!.PlayQuotaHour, schedule.PlayQuotaUsed));
        var reads = h.PlayReads;

        Assert.Equal(FetchOutcomeKind.Deferred, (await h.FetchAsync()).Kind); // the budget is spent: no call
        Assert.Equal(reads, h.PlayReads);
        h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
    }

    private static async Task<OperatorWorkListResponse> WorkAsync(PlayConnectionHarness h)
    {
        var response = await h.App.Host.GetAsync(WorkList, PlayConnectionHarness.OperatorToken);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<OperatorWorkListResponse>();
    }
}
