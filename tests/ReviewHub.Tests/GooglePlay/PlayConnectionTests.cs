using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// Issue 15 item 2: the Play connection by invitation. Operators provision the account's service account; the customer
/// invites it and says so once; the typed verification reads the app until the grant propagates (hours of test time)
/// or the deadline (working days, weekends skipped) passes; each state names who acts; the owner is emailed once per
/// outcome; fetches and replies wait for Active; health after activation and disconnect as for App Store Connect.
/// </summary>
public sealed class PlayConnectionTests
{
    /// <summary>Monday 2026-07-06 09:00 UTC (the tests' business calendar is UTC without holidays).</summary>
    private static readonly DateTimeOffset Monday = new(2026, 7, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_grant_that_propagates_after_many_hours_makes_the_connection_active_and_the_owner_is_told_once()
    {
        await using var h = await PlayConnectionHarness.StartAsync(Monday);
        var before = await h.StatusAsync();
        Assert.Equal(("awaitingServiceAccount", "operators", null), (before.Status, before.Actor,
            before.ServiceAccountEmail));
        Assert.Equal(409, (await h.ConfirmInvitedAsync()).Status); // nothing to invite yet
        Assert.Equal(403, (await h.App.Host.PutAsync(
            $"/api/operators/accounts/{h.World.AccountId}/google-play/service-account", h.World.Token,
            new { keyFile = "{}" })).Status);
        // Before the connection is active the app is not read at all (it was polled from registration before).
        Assert.Equal((FetchOutcomeKind.Paused, 0), ((await h.FetchAsync()).Kind, h.PlayReads));

        var card = await h.ProvisionAsync();
        Assert.Equal(("awaitingInvitation", "customer", h.ServiceAccount!.ClientEmail),
            (card.Status, card.Actor, card.ServiceAccountEmail));
        Assert.Contains(h.ServiceAccount.ClientEmail, card.NextStep, StringComparison.Ordinal);
        Assert.Contains(card.Permissions, p => p.Level == "app" && p.ApiNames.Contains("CAN_REPLY_TO_REVIEWS"));
        Assert.Contains(card.Permissions, p => p.Level == "account"
            && p.ApiNames.Contains("CAN_VIEW_NON_FINANCIAL_DATA_GLOBAL"));
        // With a key but no verified connection, the fetch still makes no call (the gate).
        Assert.Equal((FetchOutcomeKind.Paused, 0), ((await h.FetchAsync()).Kind, h.PlayReads));

        h.Play.Invite(h.ServiceAccount.ClientEmail, PlayConnectionHarness.Package, TimeSpan.FromHours(30));
        var first = await h.ConfirmInvitedAsync();
        var again = await h.ConfirmInvitedAsync(); // a double click: the same attempt, one orchestration
        Assert.Equal((202, 202), (first.Status, again.Status));
        var verifying = first.As<PlayConnectionResponse>();
        Assert.Equal(("verifying", "nobody"), (verifying.Status, verifying.Actor));
        Assert.Equal(Monday.AddDays(3), verifying.Deadline); // Thursday 09:00
        Assert.Equal(verifying.Deadline, again.As<PlayConnectionResponse>().Deadline);

        for (var hours = 6; hours <= 24; hours += 6)
        {
            h.Clock.SetUtcNow(Monday.AddHours(hours)); // Google still answers 403 insufficient permissions
            var waiting = await h.CheckedNowAsync();
            Assert.Equal("verifying", waiting.Status);
            Assert.Contains(PlayConnectionHarness.Package, waiting.LastObservation, StringComparison.Ordinal);
        }
        h.Clock.SetUtcNow(Monday.AddHours(31)); // propagated

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var active = await h.StatusAsync();
        Assert.Equal(("active", "nobody", Monday.AddHours(31)), (active.Status, active.Actor, active.VerifiedAt));
        Assert.Single(h.EmailsTo("connected to Google Play"));
        Assert.Empty(h.EmailsTo("stopped"));
        Assert.Contains(h.App.Queue.Sent<ReviewFetchRequest>(ReviewQueues.ReviewFetches), r => r.AppId == h.AppId);
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
        Assert.Equal(409, (await h.ConfirmInvitedAsync()).Status); // already in force
    }

    [Fact]
    public async Task No_grant_by_the_deadline_across_a_weekend_fails_with_the_exact_reason_and_one_email()
    {
        var thursday = new DateTimeOffset(2026, 7, 9, 15, 0, 0, TimeSpan.Zero);
        await using var h = await PlayConnectionHarness.StartAsync(thursday);
        await h.ProvisionAsync();
        Assert.Equal(202, (await h.ConfirmInvitedAsync()).Status); // never invited in Play Console
        var deadline = new DateTimeOffset(2026, 7, 14, 15, 0, 0, TimeSpan.Zero); // Fri, Mon, Tue: weekend skipped
        Assert.Equal(deadline, (await h.CheckedNowAsync()).Deadline);

        h.Clock.SetUtcNow(thursday.AddDays(4)); // Monday 15:00: four days, but two working days
        Assert.Equal("verifying", (await h.CheckedNowAsync()).Status);
        h.Clock.SetUtcNow(deadline.AddMinutes(1));

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.Equal(("failed", "customer"), (failed.Status, failed.Actor));
        Assert.StartsWith("No Google Play grant reached ReviewHub by the deadline (2026-07-14 15:00 UTC).",
            failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains($"{h.ServiceAccount!.ClientEmail} read the reviews of {PlayConnectionHarness.Package}",
            failed.FailureReason, StringComparison.Ordinal);
        Assert.Single(h.EmailsTo("setup stopped"));
        Assert.Empty(h.EmailsTo("connected"));
        Assert.Equal(202, (await h.ConfirmInvitedAsync()).Status); // a new attempt may start
    }

    [Fact]
    public async Task Google_429_and_5xx_during_the_verification_delay_it_and_it_activates_when_Google_recovers()
    {
        await using var h = await PlayConnectionHarness.StartAsync(Monday);
        await h.ProvisionAsync();
        h.Play.Invite(h.ServiceAccount!.ClientEmail, PlayConnectionHarness.Package, TimeSpan.FromHours(2));
        Assert.Equal(202, (await h.ConfirmInvitedAsync()).Status);
        var propagating = await h.CheckedNowAsync(); // 403: the grant has not reached the API yet

        // Google is overloaded: every read answers 429 RESOURCE_EXHAUSTED with a Retry-After of 10 minutes (longer
        // than a call waits: the call returns it at once) or 503 backendError (retried in the call on the backoff,
        // which runs on the test clock), so each check fails through all its activity retries, poll after poll.
        const int Faults = 40;
        for (var i = 0; i < Faults; i++)
        {
            h.Play.Fail(i % 2 == 0
                ? FakeGooglePlay.QuotaExceeded(TimeSpan.FromMinutes(10))
                : new InjectedFault(503, FakeGooglePlay.BackendErrorBody), match: IsRead);
        }
        // The first 429 is read (so no check of before is still writing), then the grant propagates, but Google
        // cannot say so.
        await Polling.UntilAsync(() => Task.FromResult(h.Play.PendingFaults), left => left < Faults);
        h.Clock.SetUtcNow(Monday.AddHours(3));
        // Half the faults span several polls of five activity attempts each. Under 10 minutes of test time: no call
        // sat out the Retry-After.
        await h.AdvanceClockUntilAsync(async () => h.Play.PendingFaults <= Faults / 2
                || await h.VerificationStatusAsync() is not OrchestrationRuntimeStatus.Running,
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), "Google's 429s and 503s to be read");

        var waiting = await h.StatusAsync();
        Assert.Equal(("verifying", "nobody", propagating.LastObservation, propagating.LastCheckedAt,
                propagating.Deadline),
            (waiting.Status, waiting.Actor, waiting.LastObservation, waiting.LastCheckedAt, waiting.Deadline));
        Assert.Equal(OrchestrationRuntimeStatus.Running, await h.VerificationStatusAsync());
        Assert.DoesNotContain(h.SendGrid.Emails, e => e.Subject.Contains("Google Play", StringComparison.Ordinal));

        var reads = h.PlayReads;
        h.Play.ClearFaults(); // Google recovers
        await h.AdvanceClockUntilAsync(
            async () => await h.VerificationStatusAsync() is not OrchestrationRuntimeStatus.Running,
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), "the verification to end once Google answers");
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        // The read that sees the grant, after at most a faulted one racing the recovery and a retry of it.
        Assert.InRange(h.PlayReads - reads, 1, 3);
        var active = await h.StatusAsync();
        Assert.Equal(("active", "nobody"), (active.Status, active.Actor));
        Assert.InRange(active.VerifiedAt!.Value, Monday.AddHours(3), h.Clock.GetUtcNow());
        Assert.Single(h.EmailsTo("connected to Google Play"));
        Assert.Empty(h.EmailsTo("stopped"));
    }

    [Fact]
    public async Task Disconnecting_while_the_verification_runs_ends_it_deletes_the_key_and_nothing_is_written_after()
    {
        await using var h = await PlayConnectionHarness.StartAsync(Monday);
        await h.ProvisionAsync();
        h.Play.Invite(h.ServiceAccount!.ClientEmail, PlayConnectionHarness.Package, TimeSpan.FromHours(10));
        Assert.Equal(202, (await h.ConfirmInvitedAsync()).Status);
        await h.CheckedNowAsync();

        var disconnected = await h.App.Host.DeleteAsync(h.ConnectionPath, h.World.Token);
        Assert.True(disconnected.Status == 200, disconnected.ToString());
        // The Cancel event, or a check that ran in between and found the row no longer verifying this attempt.
        Assert.Contains((await h.WaitForCompletionAsync()).ReadOutputAs<string>(), new[] { "Cancelled", "Gone" });
        h.Clock.SetUtcNow(Monday.AddDays(5)); // the grant propagated and the deadline passed: nothing reacts
        await Task.Delay(500);

        var status = await h.StatusAsync();
        Assert.Equal(("disconnected", null), (status.Status, status.ServiceAccountEmail));
        Assert.Null(await h.App.Get<GooglePlayServiceAccounts>().FindAsync(h.World.AccountId, CancellationToken.None));
        Assert.DoesNotContain(h.SendGrid.Emails, e => e.Subject.Contains("Google Play", StringComparison.Ordinal));
        var events = await h.App.Host.GetAsync($"{h.ConnectionPath}/events", h.World.Token);
        Assert.Equal("disconnected", events.Json.GetProperty("items")[0].GetProperty("event").GetString());
        var reads = h.PlayReads;
        Assert.Equal(FetchOutcomeKind.Paused, (await h.FetchAsync()).Kind); // the key is not used any more
        Assert.Equal(reads, h.PlayReads);
        Assert.Equal(200, (await h.App.Host.DeleteAsync(h.ConnectionPath, h.World.Token)).Status); // idempotent
    }

    [Fact]
    public async Task A_403_after_activation_degrades_at_once_the_owner_is_told_once_and_fixed_returns_it_to_active()
    {
        await using var h = await PlayConnectionHarness.StartAsync(Monday);
        await h.ProvisionAsync();
        var email = h.ServiceAccount!.ClientEmail;
        h.Play.Invite(email, PlayConnectionHarness.Package, TimeSpan.Zero);
        Assert.Equal(202, (await h.ConfirmInvitedAsync()).Status);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);

        h.Clock.Advance(TimeSpan.FromHours(1));
        h.Play.SetGrant(email, PlayConnectionHarness.Package, FakePlayGrant.Denied); // removed in Play Console
        Assert.Equal(FetchOutcomeKind.Paused, (await h.FetchAsync()).Kind);
        var degraded = await h.StatusAsync();
        Assert.Equal(("degraded", "accessRemoved", "customer"), (degraded.Status, degraded.DegradedCause,
            degraded.Actor));
        var check = Assert.Single(h.App.Queue.Take<PlayConnectionCheckRequest>(GooglePlayQueues.PlayConnectionChecks));
        var health = h.App.Get<PlayConnectionHealth>();
        Assert.Equal(PlayHealthOutcome.Degraded, await health.CheckAsync(check.AccountId, CancellationToken.None));
        var daily = ActivatorUtilities.CreateInstance<PlayConnectionHealthFunctions>(h.App.Services);
        Assert.True(await daily.QueueDailyAsync(CancellationToken.None) >= 1); // other tests' accounts share storage
        Assert.Contains(h.App.Queue.Take<PlayConnectionCheckRequest>(GooglePlayQueues.PlayConnectionChecks),
            r => r.AccountId == h.World.AccountId);
        Assert.Equal(PlayHealthOutcome.Degraded, await health.CheckAsync(check.AccountId, CancellationToken.None));
        var told = Assert.Single(h.EmailsTo("stopped working"));
        Assert.Contains(PlayConnectionHarness.Package, told.PlainText, StringComparison.Ordinal);

        var reads = h.PlayReads;
        Assert.Equal(FetchOutcomeKind.Paused, (await h.FetchAsync()).Kind); // paused: no call with the key
        Assert.Equal(reads, h.PlayReads);
        Assert.Contains("degraded", (await h.App.Get<FetchScheduler>().GetAsync(h.World.AccountId, h.AppId,
            CancellationToken.None))!.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("degraded", (await h.App.Host.PostAsync($"{h.ConnectionPath}/fixed", h.World.Token))
            .As<PlayConnectionResponse>().Status); // not fixed yet

        h.Clock.Advance(TimeSpan.FromHours(2)); // the customer invites it again
        h.Play.SetGrant(email, PlayConnectionHarness.Package, FakePlayGrant.Granted);
        h.App.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
        var fixedIt = await h.App.Host.PostAsync($"{h.ConnectionPath}/fixed", h.World.Token);

        Assert.Equal(("active", null), (fixedIt.As<PlayConnectionResponse>().Status,
            fixedIt.As<PlayConnectionResponse>().DegradedCause));
        Assert.Contains(h.App.Queue.Sent<ReviewFetchRequest>(ReviewQueues.ReviewFetches), r => r.AppId == h.AppId);
        Assert.Single(h.EmailsTo("stopped working"));
        var events = (await h.App.Host.GetAsync($"{h.ConnectionPath}/events", h.World.Token)).Json
            .GetProperty("items").EnumerateArray().Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Equal(["recovered", "degraded"], events);
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
    }

    private static bool IsRead(HttpRequest request) =>
        request.Path.Value!.Contains("/reviews", StringComparison.Ordinal);
}
