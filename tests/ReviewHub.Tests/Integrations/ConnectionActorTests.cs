using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Tests.Observability;

namespace ReviewHub.Tests.Integrations;

/// <summary>
/// Issue 13 item 3: every state names who acts next; the deadline counts only the customer's time (operators late →
/// not failed, the owner told once, completes when they act; customer late → Failed); the operators' work list and
/// the operators-late gauge. Time is an injected clock; the Durable host's timers stay real (300 ms polls).
/// </summary>
public sealed class ConnectionActorTests
{
    private static readonly string[] FullAccessRoles =
        [AppStoreConnectRoles.CustomerSupport, AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Finance];

    /// <summary>Monday 2026-07-06 09:00 UTC (the tests' business calendar is UTC without holidays).</summary>
    private static readonly DateTimeOffset Monday = new(2026, 7, 6, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The app and Apple share the clock (Apple checks the API tokens' times).</summary>
    private static async Task<IntegrationHarness> StartAsync(
        FakeTimeProvider clock, IDictionary<string, string?>? settings = null)
    {
        var h = await IntegrationHarness.StartAsync(settings, services => services.Replace<TimeProvider>(clock));
        h.Asc.Clock = clock;
        return h;
    }

    /// <summary>Waits until a check ran at the clock's current time (the orchestration polls every 300 ms).</summary>
    private static Task<IntegrationStatusResponse> CheckedNowAsync(IntegrationHarness h, FakeTimeProvider clock) =>
        h.WaitForStatusAsync(s => s.LastCheckedAt >= clock.GetUtcNow());

    [Fact]
    public async Task Operators_late_do_not_fail_the_setup_the_owner_is_told_once_and_it_completes_when_they_act()
    {
        var clock = new FakeTimeProvider(Monday);
        await using var h = await StartAsync(clock);
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        var waiting = await CheckedNowAsync(h, clock);
        Assert.Equal(("awaitingOperator", "operators", Monday), (waiting.Status, waiting.Actor,
            waiting.OperatorsWaitingSince));
        Assert.Equal(Monday.AddDays(3), waiting.Deadline); // Thursday 09:00
        Assert.Contains("accept your invitation", waiting.NextStep);

        clock.SetUtcNow(Monday.AddDays(4)); // Friday 09:00: past the deadline, still on operators
        await h.WaitForStatusAsync(_ => h.EmailsTo("is late").Count > 0);
        for (var hour = 1; hour <= 2; hour++)
        {
            clock.SetUtcNow(Monday.AddDays(4).AddHours(hour));
            await CheckedNowAsync(h, clock); // more rounds past the deadline: no second email, no failure
        }
        var late = await h.StatusAsync();
        Assert.Equal(("awaitingOperator", "operators", null), (late.Status, late.Actor, late.FailureReason));
        var told = Assert.Single(h.EmailsTo("is late"));
        Assert.Contains("not yours", told.PlainText);

        await h.OperatorsAcceptAsync(FullAccessRoles); // Friday 11:00

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var active = await h.StatusAsync();
        Assert.Equal(("active", "nobody", null), (active.Status, active.Actor, active.OperatorsWaitingSince));
        // The operators' 4 days 2 hours went back to the customer: Thursday 09:00 → next Wednesday 11:00.
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 11, 0, 0, TimeSpan.Zero), active.Deadline);
        Assert.Single(h.EmailsTo("is late"));
        Assert.Empty(h.EmailsTo("stopped"));
        Assert.Single(h.EmailsTo("is connected"));
    }

    [Fact]
    public async Task The_customer_late_fails_with_the_exact_reason_after_the_time_operators_took_is_given_back()
    {
        var clock = new FakeTimeProvider(Monday);
        await using var h = await StartAsync(clock);
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await CheckedNowAsync(h, clock);

        clock.SetUtcNow(Monday.AddDays(1)); // operators act on Tuesday 09:00, one working day late
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.Marketing);
        var missing = await h.WaitForStatusAsync(s => s.Status == "rolesMissing");
        Assert.Equal(("customer", null), (missing.Actor, missing.OperatorsWaitingSince));
        Assert.Contains("Customer Support, Finance", missing.NextStep);
        var deadline = new DateTimeOffset(2026, 7, 10, 9, 0, 0, TimeSpan.Zero); // Thursday + the operators' day
        Assert.Equal(deadline, missing.Deadline);

        clock.SetUtcNow(deadline.AddMinutes(-1));
        Assert.Equal("rolesMissing", (await CheckedNowAsync(h, clock)).Status);
        clock.SetUtcNow(deadline.AddMinutes(1));

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.Equal(("failed", "customer", "Roles still missing: Customer Support, Finance."),
            (failed.Status, failed.Actor, failed.FailureReason));
        Assert.Single(h.EmailsTo("stopped"));
        Assert.Empty(h.EmailsTo("is late"));
    }

    /// <summary>Thursday 2026-07-09 09:00 UTC.</summary>
    private static readonly DateTimeOffset Thursday = Monday.AddDays(3);

    private static Task<TestResponse> ReportNoInvitationAsync(IntegrationHarness h, string token) =>
        h.App.Host.PostAsync($"{h.IntegrationPath}/no-invitation", token);

    [Fact]
    public async Task No_invitation_found_over_a_weekend_hands_the_wait_to_the_customer_who_then_fails_late()
    {
        var clock = new FakeTimeProvider(Thursday);
        await using var h = await StartAsync(clock);
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        var waiting = await CheckedNowAsync(h, clock);
        Assert.Equal(("operators", Thursday.AddDays(5)), (waiting.Actor, waiting.Deadline)); // Tuesday 09:00

        // Monday 09:00: the operators looked; no invitation arrived. A member may not say so.
        var monday = Thursday.AddDays(4);
        clock.SetUtcNow(monday);
        Assert.Equal(403, (await ReportNoInvitationAsync(h, h.World.Token)).Status);
        var reported = await ReportNoInvitationAsync(h, h.OperatorToken);
        Assert.True(reported.Status == 200, reported.ToString());
        var customer = reported.As<IntegrationStatusResponse>();
        Assert.Equal(("awaitingOperator", "customer", null), (customer.Status, customer.Actor,
            customer.OperatorsWaitingSince));
        Assert.Contains("found no invitation", customer.NextStep, StringComparison.Ordinal);
        // Their Thursday and Friday went back to the customer (the weekend is nobody's): Tuesday → Thursday 09:00.
        var deadline = new DateTimeOffset(2026, 7, 16, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal(deadline, customer.Deadline);
        Assert.Equal(200, (await ReportNoInvitationAsync(h, h.OperatorToken)).Status); // repeated: nothing new
        var told = Assert.Single(h.EmailsTo("Action needed: invite"));
        Assert.Contains(h.IntegrationEmail, told.PlainText, StringComparison.Ordinal);
        var work = (await h.App.Host.GetAsync("/api/operators/connections/waiting", h.OperatorToken))
            .As<OperatorWorkListResponse>();
        Assert.DoesNotContain(work.Items, i => i.ConnectionId == h.ConnectionId && i.AccountId == h.World.AccountId);

        clock.SetUtcNow(deadline.AddMinutes(-1));
        Assert.Equal("customer", (await CheckedNowAsync(h, clock)).Actor);
        clock.SetUtcNow(deadline.AddMinutes(1));

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.Equal(("failed", "customer"), (failed.Status, failed.Actor));
        Assert.Contains("received no invitation", failed.FailureReason, StringComparison.Ordinal);
        Assert.Single(h.EmailsTo("stopped"));
        Assert.Empty(h.EmailsTo("is late"));
        Assert.Single(h.EmailsTo("Action needed: invite"));
    }

    [Fact]
    public async Task No_invitation_found_across_a_holiday_then_invited_again_gives_the_wait_back_to_operators()
    {
        var clock = new FakeTimeProvider(Thursday);
        // Friday 2026-07-10 is a holiday: nobody's working time.
        await using var h = await StartAsync(clock, new Dictionary<string, string?>
        {
            ["Integrations:Holidays"] = "2026-07-10",
        });
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 9, 0, 0, TimeSpan.Zero), // Mon, Tue, Wed
            (await CheckedNowAsync(h, clock)).Deadline);

        clock.SetUtcNow(new DateTimeOffset(2026, 7, 13, 9, 0, 0, TimeSpan.Zero)); // Monday
        var reported = (await ReportNoInvitationAsync(h, h.OperatorToken)).As<IntegrationStatusResponse>();
        // The operators' Thursday (a working day; Friday the holiday and the weekend are not) went back.
        Assert.Equal(("customer", new DateTimeOffset(2026, 7, 16, 9, 0, 0, TimeSpan.Zero)),
            (reported.Actor, reported.Deadline));

        // Tuesday: the customer invites and says so again; the wait is the operators' again, the attempt the same.
        clock.SetUtcNow(new DateTimeOffset(2026, 7, 14, 9, 0, 0, TimeSpan.Zero));
        var again = await h.ConfirmAsync("fullAccess");
        Assert.Equal(202, again.Status);
        var operators = again.As<IntegrationStatusResponse>();
        Assert.Equal(("operators", clock.GetUtcNow()), (operators.Actor, operators.OperatorsWaitingSince));
        Assert.Contains("accept your invitation", operators.NextStep, StringComparison.Ordinal);

        // Wednesday: operators accept; their Tuesday goes back to the customer too.
        clock.SetUtcNow(new DateTimeOffset(2026, 7, 15, 9, 0, 0, TimeSpan.Zero));
        await h.OperatorsAcceptAsync(FullAccessRoles);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var active = await h.StatusAsync();
        Assert.Equal(("active", new DateTimeOffset(2026, 7, 17, 9, 0, 0, TimeSpan.Zero)), (active.Status,
            active.Deadline));
        Assert.Single(h.EmailsTo("Action needed: invite"));
    }

    [Fact]
    public async Task The_work_list_shows_connections_waiting_on_operators_oldest_first_with_their_working_age()
    {
        var friday = new DateTimeOffset(2026, 7, 3, 20, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(friday);
        // The list spans every account: this test gets its own storage.
        var storage = await Azurite.IsolatedConnectionStringAsync("operator-work");
        await using var h = await StartAsync(clock, new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
            ["Integrations:PollInterval"] = "01:00:00",
        });
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        const string path = "/api/operators/connections/waiting";
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        clock.SetUtcNow(friday.AddHours(3));
        var beta = await h.App.Host.PostAsync($"{h.World.AccountPath}/connections", h.World.Token,
            new { team = "Beta Team", kind = "replyToReviews" });
        Assert.True(beta.Status == 202, beta.ToString());
        clock.SetUtcNow(new DateTimeOffset(2026, 7, 6, 2, 0, 0, TimeSpan.Zero)); // Monday 02:00; the weekend is free

        Assert.Equal(403, (await h.App.Host.GetAsync(path, h.World.Token)).Status);
        var list = await h.App.Host.GetAsync(path, h.OperatorToken);
        Assert.True(list.Status == 200, list.ToString());
        var work = list.As<OperatorWorkListResponse>();
        Assert.Equal([IntegrationHarness.Team, "Beta Team"], work.Items.Select(i => i.Team));
        Assert.Equal((4.0, false), (work.OverdueAfterWorkingHours, work.Truncated));
        Assert.Equal((6.0, true, friday), (work.Items[0].WorkingHoursWaited, work.Items[0].Overdue,
            work.Items[0].WaitingSince));
        Assert.Equal((3.0, false), (work.Items[1].WorkingHoursWaited, work.Items[1].Overdue));
        Assert.All(work.Items, i => Assert.Equal("awaitingOperator", i.Status));

        var monitor = h.App.Get<OperatorWorkFunctions>();
        await monitor.MeasureAsync(CancellationToken.None);
        Assert.Equal([1.0], recorded.Values(ReviewHubMetrics.Names.IntegrationsOperatorsOverdue));

        // Operators register Acme's key: it leaves the list once it no longer waits on them.
        await h.OperatorsAcceptAsync(FullAccessRoles);
        await h.WaitForStatusAsync(s => s.Status == "active");
        var after = (await h.App.Host.GetAsync(path, h.OperatorToken)).As<OperatorWorkListResponse>();
        Assert.Equal(["Beta Team"], after.Items.Select(i => i.Team));
        clock.SetUtcNow(new DateTimeOffset(2026, 7, 6, 3, 0, 0, TimeSpan.Zero)); // Beta: 4 h, not yet past the limit
        await monitor.MeasureAsync(CancellationToken.None);
        Assert.Equal([1.0, 0.0], recorded.Values(ReviewHubMetrics.Names.IntegrationsOperatorsOverdue));
    }
}
