using System.Security.Cryptography;
using Microsoft.DurableTask.Client;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Observability;
using ReviewHub.Reviews;
using ReviewHub.Tests.Observability;

namespace ReviewHub.Tests.Integrations;

/// <summary>
/// Activation that fails part-way and is retried (each retry completes the steps still undone, success only when all
/// are done, the owner's email at most once), and failure reasons taken from what App Store Connect last answered.
/// </summary>
public sealed class IntegrationActivationTests
{
    /// <summary>Two attempts per activity call: a longer fault spans several rounds of the orchestration.</summary>
    private static readonly Dictionary<string, string?> TwoAttemptsPerRound =
        new() { ["Integrations:ActivityMaxAttempts"] = "2" };

    private static readonly InjectedFault AscUnavailable =
        new(503, FakeAppStoreConnect.ErrorBody(503, "SERVICE_UNAVAILABLE", "Service unavailable"));

    [Fact]
    public async Task A_step_failing_for_several_rounds_completes_queues_the_history_at_once_and_emails_the_owner_once()
    {
        await using var h = await IntegrationHarness.StartAsync(TwoAttemptsPerRound);
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        // Storage refuses the history import's message five times: two rounds of two attempts, then one more failure.
        h.App.Queue.Fail(ReviewQueues.ReviewFetches, times: 5);
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());

        var status = await h.StatusAsync();
        Assert.Equal("active", status.Status);
        Assert.Null(status.LastError);
        var import = Assert.Single(
            h.App.Queue.Sent<ReviewFetchRequest>(ReviewQueues.ReviewFetches), r => r.AppId == h.World.AppId);
        Assert.Equal(0, import.Attempt);
        var schedule = (await h.App.Get<FetchScheduler>().GetAsync(
            h.World.AccountId, h.World.AppId, CancellationToken.None))!;
        Assert.Equal(ReviewSources.AppStoreConnect, schedule.Source);
        Assert.True(schedule.BackfillPending);
        Assert.True(await h.App.Get<FetchScheduler>().NextDueAtAsync(schedule, CancellationToken.None)
            > DateTimeOffset.UtcNow, "the import was queued before the app's hourly slot");
        Assert.Single(h.EmailsTo("is connected"));
        Assert.Single(h.Listener.Activated);
        Assert.Equal(5, recorded.Sum(ReviewHubMetrics.Names.IntegrationActivationFailures, "step=reviews"));
        Assert.Equal(1, recorded.Sum(ReviewHubMetrics.Names.Integrations, $"state={IntegrationStatus.Activating}"));
        Assert.Equal(1, recorded.Sum(ReviewHubMetrics.Names.Integrations, $"state={IntegrationStatus.Active}"));
        var row = await RowAsync(h);
        Assert.Equal([$"reviews:{h.World.AppId}", $"recording:{h.World.AppId}"], row.ActivationStepList);
        Assert.Equal(ActivationEmailState.Sent, row.ActivationEmailValue);
    }

    [Fact]
    public async Task An_activation_that_keeps_failing_fails_the_orchestration_shows_why_and_a_confirm_resumes_it()
    {
        await using var h = await IntegrationHarness.StartAsync(TwoAttemptsPerRound);
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        h.Listener.Fail(int.MaxValue);
        var confirmed = (await h.ConfirmAsync("replyToReviews")).As<IntegrationStatusResponse>();
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);

        // Surfaced, not silent: the orchestration fails (the operators' alert), the status says what is stuck.
        var ended = await h.WaitForCompletionAsync();
        Assert.Equal(OrchestrationRuntimeStatus.Failed, ended.RuntimeStatus);
        Assert.Contains("still incomplete", ended.FailureDetails!.ErrorMessage);
        var stuck = await h.StatusAsync();
        Assert.Equal("activating", stuck.Status);
        Assert.Equal("replyToReviews", stuck.ActiveKind); // in force meanwhile: replies and hourly fetching work
        Assert.Contains("'recording'", stuck.LastError);
        Assert.Contains("confirm again", stuck.NextStep);
        Assert.Empty(h.EmailsTo("is connected"));
        Assert.Equal(12 * 2, h.Listener.Calls); // every round retried it
        Assert.Equal(12 * 2, recorded.Sum(ReviewHubMetrics.Names.IntegrationActivationFailures, "step=recording"));
        Assert.Equal(0, recorded.Sum(ReviewHubMetrics.Names.Integrations, $"state={IntegrationStatus.Active}"));
        Assert.Equal(409, (await h.App.Host.PostAsync($"{h.IntegrationPath}/cancel", h.World.Token)).Status);

        // Fixed: confirming again resumes the same attempt; only the undone steps run.
        h.Listener.Fail(0);
        var resumed = await h.ConfirmAsync("replyToReviews");
        Assert.True(resumed.Status == 202, resumed.ToString());
        Assert.Equal(confirmed.ConfirmedAt, resumed.As<IntegrationStatusResponse>().ConfirmedAt);
        await h.WaitForStatusAsync(s => s.Status == "active");
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Null((await h.StatusAsync()).LastError);
        Assert.Single(h.Listener.Activated);
        Assert.Single(h.EmailsTo("is connected"));
        Assert.Single(h.App.Queue.Sent<ReviewFetchRequest>(ReviewQueues.ReviewFetches), r => r.AppId == h.World.AppId);
        Assert.Equal(1, recorded.Sum(ReviewHubMetrics.Names.Integrations, $"state={IntegrationStatus.Active}"));
    }

    [Fact]
    public async Task The_owner_is_emailed_once_when_SendGrid_took_the_email_but_its_answer_was_lost()
    {
        await using var h = await IntegrationHarness.StartAsync();
        h.SendGrid.LoseAnswers(1);
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Single(h.EmailsTo("is connected"));
        Assert.Single(h.SendGrid.Requests); // not sent again: SendGrid may have it, and here it does
        Assert.Equal(ActivationEmailState.Unconfirmed, (await RowAsync(h)).ActivationEmailValue);
    }

    [Fact]
    public async Task Roles_last_seen_missing_are_the_reason_when_App_Store_Connect_is_down_at_the_deadline()
    {
        await using var h = await IntegrationHarness.StartAsync();
        h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.Marketing]);
        h.Asc.AcceptInvitation(h.IntegrationEmail);
        await h.StartWithDeadlineAsync(IntegrationKind.AsoReport, TimeSpan.FromSeconds(3), h.Asc.CreateKey());
        await h.WaitForStatusAsync(s => s.Status == "rolesMissing");
        h.Asc.Fail(AscUnavailable, times: 10_000, match: r => r.Path == "/v1/users");

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.StartsWith("Roles still missing: Sales, Access to Reports.", failed.FailureReason);
        Assert.Contains("App Store Connect did not answer after", failed.FailureReason);
        Assert.DoesNotContain("never accepted", failed.FailureReason);
        Assert.Contains("Roles still missing: Sales, Access to Reports.",
            Assert.Single(h.EmailsTo("stopped")).PlainText);
    }

    [Fact]
    public async Task App_Store_Connect_unreachable_since_the_key_was_registered_is_the_reason_not_the_invitation()
    {
        await using var h = await IntegrationHarness.StartAsync();
        h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport]);
        h.Asc.AcceptInvitation(h.IntegrationEmail);
        h.Asc.Fail(AscUnavailable, times: 10_000, match: r => r.Path == "/v1/users");
        await h.StartWithDeadlineAsync(IntegrationKind.ReplyToReviews, TimeSpan.FromSeconds(2), h.Asc.CreateKey());

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.StartsWith("App Store Connect could not be reached since", failed.FailureReason);
        Assert.Contains("Confirm again", failed.FailureReason);
        Assert.DoesNotContain("never accepted", failed.FailureReason);
        Assert.Contains("could not be reached", Assert.Single(h.EmailsTo("stopped")).PlainText);
        Assert.Empty(h.Listener.Activated);

        // Confirming again reuses the registered key: nothing waits for operators, the status says roles are checked.
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        Assert.Equal("verifying", (await h.StatusAsync()).Status);
    }

    [Fact]
    public async Task A_refused_key_replaced_by_one_App_Store_Connect_never_answered_is_not_the_reason()
    {
        await using var h = await IntegrationHarness.StartAsync();
        h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport]);
        h.Asc.AcceptInvitation(h.IntegrationEmail);
        // A key App Store Connect does not know (revoked): every check with it is refused with 401.
        using var unknown = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var revoked = new FakeAppStoreConnectKey(
            Guid.NewGuid().ToString(), "REVOKED001", unknown.ExportPkcs8PrivateKeyPem());
        await h.StartWithDeadlineAsync(IntegrationKind.ReplyToReviews, TimeSpan.FromSeconds(3), revoked);
        await h.WaitForStatusAsync(s => s.LastError?.Contains("401") == true);

        // Operators register a new key, but App Store Connect goes down before it is ever answered.
        h.Asc.Fail(AscUnavailable, times: 10_000, match: r => r.Path == "/v1/users");
        Assert.Equal(200, (await h.RegisterCredentialAsync(h.Asc.CreateKey())).Status);

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.StartsWith("App Store Connect could not be reached since", failed.FailureReason);
    }

    private static async Task<IntegrationEntity> RowAsync(IntegrationHarness h) =>
        (await h.ConnectionAsync())!;
}
