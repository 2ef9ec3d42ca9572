using System.Diagnostics;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Accounts;
using ReviewHub.Fakes;
using ReviewHub.Http;
using ReviewHub.Integrations;

namespace ReviewHub.Tests.Integrations;

/// <summary>The setup flow from "I've invited" to Active, Failed and Cancelled, on the Durable in-process test
/// host.</summary>
public sealed class IntegrationSetupTests
{
    private static readonly string[] FullAccessRoles = [AppStoreConnectRoles.CustomerSupport,
        AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Finance];

    [Fact]
    public async Task
        Confirm_then_operators_accept_and_register_the_key_makes_the_integration_active_and_tells_the_owner()
    {
        await using var h = await IntegrationHarness.StartAsync();

        var confirmed = await h.ConfirmAsync("fullAccess");
        Assert.True(confirmed.Status == 202, confirmed.ToString());
        Assert.Equal(h.IntegrationPath, confirmed.Headers.Location.ToString());
        var waiting = await h.WaitForStatusAsync(s => s.Status == "awaitingOperator" && s.LastCheckedAt is not null);
        Assert.Equal("fullAccess", waiting.Kind);
        Assert.Equal(h.IntegrationEmail, waiting.IntegrationEmail);
        Assert.True(waiting.Deadline > waiting.ConfirmedAt!.Value.AddDays(2.9));
        Assert.False(waiting.CredentialRegistered);

        var key = await h.OperatorsAcceptAsync([.. FullAccessRoles, "SOME_FUTURE_ROLE"]);

        var active = await h.WaitForStatusAsync(s => s.Status == "active");
        Assert.Equal([.. FullAccessRoles, "SOME_FUTURE_ROLE"], active.GrantedRoles.Select(r => r.Role));
        Assert.Empty(active.MissingRoles);
        Assert.NotNull(active.VerifiedAt);
        Assert.True(active.CredentialRegistered);
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());

        var activated = Assert.Single(h.Listener.Activated);
        Assert.True(activated.IsActive);
        Assert.True(activated.AllowsReplies);
        var lookup = Assert.Single(h.Asc.Requests, r => r.Path == "/v1/users");
        Assert.Contains(Uri.EscapeDataString(h.IntegrationEmail), lookup.Query);

        var owner = (await h.App.Get<AccountStore>().GetAsync(h.World.AccountId, CancellationToken.None))!.OwnerEmail;
        var email = Assert.Single(h.SendGrid.Emails);
        Assert.Equal([owner], email.To);
        Assert.Contains("connected", email.Subject);
        Assert.Contains("every hour", email.PlainText);
        Assert.StartsWith("<p>", email.Html);

        // The key is in the vault, the table holds only its name, and no response ever carries it.
        var row = (await h.ConnectionAsync())!;
        Assert.Equal($"asc-{h.World.AccountId}-{h.ConnectionId}", row.CredentialReference);
        Assert.DoesNotContain("PRIVATE KEY", System.Text.Json.JsonSerializer.Serialize(row));
        Assert.Contains(key.KeyId, await h.App.Get<ReviewHub.Secrets.ISecretStore>().GetAsync(row.CredentialReference!,
            CancellationToken.None));
    }

    [Fact]
    public async Task A_pending_invitation_keeps_the_setup_waiting_until_it_is_accepted()
    {
        await using var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport]);
        Assert.Equal(200, (await h.RegisterCredentialAsync(h.Asc.CreateKey())).Status);

        var pending = await h.WaitForStatusAsync(s => s.Status == "invitationPending");
        Assert.Contains("invitation", pending.NextStep);
        var lookupsWhilePending = h.UserLookups;
        await h.WaitForStatusAsync(_ => h.UserLookups >= lookupsWhilePending + 2); // periodic re-checks

        h.Asc.AcceptInvitation(h.IntegrationEmail);

        await h.WaitForStatusAsync(s => s.Status == "active");
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Contains(h.Asc.Requests, r => r.Path == "/v1/userInvitations" && r.Query.Contains("filter[email]"));
    }

    [Fact]
    public async Task Missing_roles_are_named_emailed_once_and_a_roles_updated_event_rechecks_at_once()
    {
        // An hour between polls: only the "roles updated" event can make the setup look again within the test.
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string,
            string?> { ["Integrations:PollInterval"] = "01:00:00" });
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport, AppStoreConnectRoles.Marketing,
            AppStoreConnectRoles.Sales,
            AppStoreConnectRoles.AccessToReports);

        var missing = await h.WaitForStatusAsync(s => s.Status == "rolesMissing");
        Assert.Equal([AppStoreConnectRoles.Finance], missing.MissingRoles.Select(r => r.Role));
        Assert.Equal("Finance", missing.MissingRoles[0].Name);
        Assert.Contains("Finance", missing.NextStep);
        await h.WaitForStatusAsync(_ => h.EmailsTo("Action needed").Count == 1);

        // Still missing after "I've updated the roles": checked again, not emailed again.
        var lookups = h.UserLookups;
        var checkedBefore = missing.LastCheckedAt;
        Assert.Equal(202, (await h.App.Host.PostAsync($"{h.IntegrationPath}/roles-updated", h.World.Token)).Status);
        // Wait for the re-check to be recorded, not just started: only then is the setup waiting for the next event.
        await h.WaitForStatusAsync(s => h.UserLookups > lookups && s.LastCheckedAt > checkedBefore
            && s.Status == "rolesMissing");

        h.Asc.SetUserRoles(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport, AppStoreConnectRoles.Marketing,
            AppStoreConnectRoles.Finance]);
        Assert.Equal(202, (await h.App.Host.PostAsync($"{h.IntegrationPath}/roles-updated", h.World.Token)).Status);

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Empty((await h.StatusAsync()).MissingRoles);
        var actionNeeded = Assert.Single(h.EmailsTo("Action needed"));
        Assert.Contains("Finance", actionNeeded.PlainText);
        Assert.Contains("Finance", actionNeeded.Html);
        Assert.Single(h.EmailsTo("is connected"));
    }

    [Fact]
    public async Task
        No_invitation_at_the_deadline_fails_with_the_reason_and_next_steps_and_confirming_again_retries()
    {
        // Operators hold a key for the team, but the customer never invited the integration user: the customer's part.
        await using var h = await IntegrationHarness.StartAsync();
        await h.StartWithDeadlineAsync(IntegrationKind.ReplyToReviews, TimeSpan.FromSeconds(1), h.Asc.CreateKey());

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.Equal(("failed", "customer"), (failed.Status, failed.Actor));
        Assert.Contains("has no user or invitation", failed.FailureReason);
        Assert.Contains("confirm again", failed.NextStep);
        var email = Assert.Single(h.EmailsTo("stopped"));
        Assert.Contains("has no user or invitation", email.PlainText);
        Assert.Contains("Customer Support", email.PlainText); // next steps name the roles
        Assert.Empty(h.EmailsTo("is late")); // the customer's part, not the operators'

        var retried = await h.ConfirmAsync("replyToReviews");
        Assert.True(retried.Status == 202, retried.ToString());
        var fresh = await h.StatusAsync();
        // The registered key is kept: the new attempt is verifying, or its first check already found no invitation
        // again (which one depends on how fast the orchestration runs).
        Assert.Contains(fresh.Status, new[] { "verifying", "invitationPending" });
        Assert.Null(fresh.FailureReason);
        Assert.True(fresh.ConfirmedAt > failed.ConfirmedAt);
        var running = await h.Durable.Client.GetInstanceAsync(h.InstanceId);
        Assert.True(running!.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending);
    }

    [Fact]
    public async Task Roles_still_missing_at_the_deadline_fail_with_exactly_which()
    {
        await using var h = await IntegrationHarness.StartAsync();
        h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.Marketing]);
        h.Asc.AcceptInvitation(h.IntegrationEmail);
        await h.StartWithDeadlineAsync(IntegrationKind.AsoReport, TimeSpan.FromSeconds(2), h.Asc.CreateKey());

        Assert.Equal("Failed", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        var failed = await h.StatusAsync();
        Assert.Equal("Roles still missing: Sales, Access to Reports.", failed.FailureReason);
        Assert.Single(h.EmailsTo("Action needed"));
        Assert.Contains("Roles still missing: Sales, Access to Reports.", Assert.Single(h.EmailsTo("stopped"))
            .PlainText);
        Assert.Empty(h.Listener.Activated);
    }

    [Fact]
    public async Task A_long_wait_continues_as_new_and_keeps_what_it_already_told_the_owner()
    {
        await using var h = await IntegrationHarness.StartAsync();
        h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.Marketing]);
        h.Asc.AcceptInvitation(h.IntegrationEmail);
        await h.StartWithDeadlineAsync(
            IntegrationKind.SalesReport, TimeSpan.FromMinutes(5), h.Asc.CreateKey(), roundsPerExecution: 2);

        await h.WaitForStatusAsync(_ => h.UserLookups >= 7); // at least three executions
        h.Asc.SetUserRoles(h.IntegrationEmail, [AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Finance]);
        Assert.Equal(202, (await h.App.Host.PostAsync($"{h.IntegrationPath}/roles-updated", h.World.Token)).Status);

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Single(h.EmailsTo("Action needed"));
        Assert.Single(h.Listener.Activated);
    }

    [Fact]
    public async Task A_double_click_starts_one_attempt_and_one_orchestration()
    {
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string,
            string?> { ["Integrations:PollInterval"] = "01:00:00" });

        var responses = await Task.WhenAll(h.ConfirmAsync("salesReport"), h.ConfirmAsync("salesReport"));
        var again = await h.ConfirmAsync("salesReport");

        Assert.All(responses.Append(again), r => Assert.True(r.Status == 202, r.ToString()));
        Assert.Single(responses.Append(again).Select(r => r.Headers.Location.ToString()).Distinct());
        Assert.Single(responses.Append(again).Select(r => r.As<IntegrationStatusResponse>().ConfirmedAt).Distinct());
        var row = (await h.ConnectionAsync())!;
        var instance = await h.Durable.Client.GetInstanceAsync(h.InstanceId, getInputsAndOutputs: true);
        Assert.Equal(row.AttemptId, instance!.ReadInputAs<IntegrationAttempt>()!.AttemptId);
        Assert.Equal(OrchestrationRuntimeStatus.Running, instance.RuntimeStatus);
        // Still the first instance: the later confirms neither replaced nor restarted it.
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);
        Assert.Equal(instance.CreatedAt, (await h.Durable.Client.GetInstanceAsync(h.InstanceId))!.CreatedAt);

        var otherKind = await h.ConfirmAsync("fullAccess");
        Assert.Equal(409, otherKind.Status);
    }

    [Fact]
    public async Task Cancel_ends_the_orchestration_at_once_and_a_new_confirmation_starts_fresh()
    {
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string,
            string?> { ["Integrations:PollInterval"] = "01:00:00" });
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        var first = await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);

        var cancelled = await h.App.Host.PostAsync($"{h.IntegrationPath}/cancel", h.World.Token);

        Assert.True(cancelled.Status == 200, cancelled.ToString());
        Assert.Equal("cancelled", cancelled.As<IntegrationStatusResponse>().Status);
        // The hour-long timer was cancelled: the instance completes within the guard, not in an hour.
        Assert.Equal("Cancelled", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Equal("cancelled", (await h.StatusAsync()).Status);
        Assert.Equal(409, (await h.App.Host.PostAsync($"{h.IntegrationPath}/cancel", h.World.Token)).Status);
        Assert.Equal(409, (await h.App.Host.PostAsync($"{h.IntegrationPath}/roles-updated", h.World.Token)).Status);

        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        var second = await h.WaitForStatusAsync(s => s.Status == "awaitingOperator" && s.LastCheckedAt is not null);
        Assert.True(second.ConfirmedAt > first.ConfirmedAt);
        Assert.Equal(OrchestrationRuntimeStatus.Running,
            (await h.Durable.Client.GetInstanceAsync(h.InstanceId))!.RuntimeStatus);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    public async Task Rate_limits_and_outages_of_app_store_connect_are_retried_by_the_activity_policy(int status)
    {
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string,
            string?> { ["Integrations:PollInterval"] = "01:00:00" });
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);
        // More failures than the HTTP client retries (1 + 3): the first activity attempt fails, the policy's next one
        // succeeds.
        var body = status == 429 ? FakeAppStoreConnect.RateLimitBody
            : FakeAppStoreConnect.ErrorBody(500, "UNEXPECTED_ERROR", "An unexpected error occurred.");
        h.Asc.Fail(new InjectedFault(status, body), times: 5, match: r => r.Path == "/v1/users");

        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);

        await h.WaitForStatusAsync(s => s.Status == "active");
        Assert.True(h.UserLookups >= 6, $"{h.UserLookups} lookups");
        Assert.Null((await h.StatusAsync()).LastError);
    }

    [Fact]
    public async Task A_long_retry_after_fails_an_activity_at_once_and_the_orchestration_retry_carries_on()
    {
        await using var h = await IntegrationHarness.StartAsync(
            new Dictionary<string, string?> { ["Integrations:PollInterval"] = "01:00:00" });
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);
        // App Store Connect asks for 10 minutes twice, SendGrid for a minute: no activity may sit on that.
        h.Asc.Fail(FakeAppStoreConnect.RateLimited(TimeSpan.FromMinutes(10)), times: 2,
            match: r => r.Path == "/v1/users");
        h.SendGrid.Fail(FakeSendGrid.TooManyRequests(resetInSeconds: 60));

        var watch = Stopwatch.StartNew();
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);
        await h.WaitForStatusAsync(_ => h.EmailsTo("is connected").Count == 1);
        watch.Stop();

        var inProcessLimit = h.App.Get<IOptions<OutboundHttpOptions>>().Value.MaxRetryAfterWait;
        Assert.True(watch.Elapsed < inProcessLimit * 2,
            $"Activities were held {watch.Elapsed} (limit {inProcessLimit} each).");
        Assert.Equal(3, h.UserLookups); // two refused activity attempts, one request each, then the policy's third
        Assert.Equal(2, h.SendGrid.Requests.Count);
        Assert.Equal("active", (await h.StatusAsync()).Status);
    }

    [Fact]
    public async Task A_forbidden_key_is_not_retried_the_status_says_why_and_a_new_key_resumes_the_setup()
    {
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string,
            string?> { ["Integrations:PollInterval"] = "01:00:00" });
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);
        h.Asc.Fail(new InjectedFault(403, FakeAppStoreConnect.ErrorBody(403, "FORBIDDEN_ERROR",
            "This request is forbidden for security reasons", "The API key in use does not allow this request")),
                match: r => r.Path == "/v1/users");

        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);

        var refused = await h.WaitForStatusAsync(s => s.LastError?.Contains("403") == true);
        Assert.Equal("verifying", refused.Status);
        Assert.Contains("403", refused.NextStep);
        Assert.Equal(1, h.UserLookups);

        Assert.Equal(200, (await h.RegisterCredentialAsync(h.Asc.CreateKey())).Status);
        await h.WaitForStatusAsync(s => s.Status == "active");
        Assert.Equal(2, h.UserLookups);
    }

    [Fact]
    public async Task A_failing_email_is_retried_and_never_fails_the_setup()
    {
        await using var h = await IntegrationHarness.StartAsync();
        // mail/send is not repeated by the HTTP client after a 500: the email activity's own retry delivers it, once.
        h.SendGrid.Fail(new InjectedFault(500, FakeSendGrid.Errors(("internal error", null))), times: 2);
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.Admin);

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Single(h.EmailsTo("is connected"));
    }

    [Fact]
    public async Task A_refused_email_key_is_not_retried_and_the_setup_still_completes()
    {
        await using var h = await IntegrationHarness.StartAsync(new Dictionary<string,
            string?> { ["Email:SendGridApiKey"] = "SG.revoked" });
        await ConfirmedEmails.FollowLinkAsync(h.App, h.World.AccountId, h.World.OwnerEmail); // its link was refused too
        h.SendGrid.ClearRequests();
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.AccountHolder);

        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Empty(h.SendGrid.Emails);
        Assert.Single(h.SendGrid.Requests);
    }

    [Fact]
    public async Task An_active_integration_can_be_upgraded_to_another_kind_but_not_confirmed_twice()
    {
        await using var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);
        await h.WaitForCompletionAsync();

        Assert.Equal(409, (await h.ConfirmAsync("replyToReviews")).Status);

        // The upgrade reuses the registered key: no operator step, just the new roles.
        h.Asc.SetUserRoles(h.IntegrationEmail, FullAccessRoles);
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.WaitForStatusAsync(s => s.Status == "active" && s.Kind == "fullAccess");
        Assert.Equal("Active", (await h.WaitForCompletionAsync()).ReadOutputAs<string>());
        Assert.Equal(FullAccessRoles, (await h.StatusAsync()).GrantedRoles.Select(r => r.Role));
        Assert.Equal(2, h.Listener.Activated.Count);
    }

    [Fact]
    public async Task An_upgrade_keeps_the_active_kind_in_force_until_verified_and_after_it_is_cancelled()
    {
        await using var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.OperatorsAcceptAsync(AppStoreConnectRoles.CustomerSupport);
        await h.WaitForCompletionAsync();
        var store = h.App.Get<IntegrationStore>();

        // The new kind's roles are not there yet: the upgrade waits, and meanwhile replies and hourly fetching keep
        // working.
        Assert.Equal(202, (await h.ConfirmAsync("fullAccess")).Status);
        await h.WaitForStatusAsync(s => s.Status == "rolesMissing" && s.Kind == "fullAccess");
        var during = (await store.GetConnectionAsync(h.World.AccountId, h.ConnectionId, CancellationToken.None))!;
        Assert.True(during.IsActive);
        Assert.True(during.AllowsReplies);
        Assert.Equal("replyToReviews", (await h.StatusAsync()).ActiveKind);

        Assert.Equal(200, (await h.App.Host.PostAsync($"{h.IntegrationPath}/cancel", h.World.Token)).Status);

        var after = (await store.GetConnectionAsync(h.World.AccountId, h.ConnectionId, CancellationToken.None))!;
        Assert.Equal(IntegrationStatus.Cancelled, after.StatusValue);
        Assert.Equal(IntegrationKind.ReplyToReviews, after.ActiveKindValue);
        Assert.True(after.AllowsReplies);
        Assert.Equal(409, (await h.ConfirmAsync("replyToReviews")).Status); // still active with that kind
    }

    [Fact]
    public async Task Disconnecting_while_the_verification_is_in_flight_ends_the_orchestration_and_writes_nothing()
    {
        await using var h = await IntegrationHarness.StartAsync();
        Assert.Equal(202, (await h.ConfirmAsync("replyToReviews")).Status);
        await h.WaitForStatusAsync(s => s.LastCheckedAt is not null);
        h.Asc.Invite(h.IntegrationEmail, [AppStoreConnectRoles.CustomerSupport]);
        h.Asc.AcceptInvitation(h.IntegrationEmail);
        h.Asc.Latency = TimeSpan.FromMilliseconds(400); // the check is talking to App Store Connect
        Assert.Equal(200, (await h.RegisterCredentialAsync(h.Asc.CreateKey())).Status);

        Assert.Equal(200, (await h.App.Host.DeleteAsync(h.IntegrationPath, h.World.Token)).Status);

        Assert.Contains((await h.WaitForCompletionAsync()).ReadOutputAs<string>(), new[] { "Cancelled", "Gone" });
        var row = (await h.ConnectionAsync())!;
        Assert.Equal(IntegrationStatus.Disconnected, row.StatusValue);
        Assert.Null(row.ActiveKind);
        Assert.Null(row.CredentialReference);
        Assert.Empty(h.Listener.Activated);
    }
}
