using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// The SPA's integration endpoints (card, "I've invited", status, "I've updated the roles", cancel) and the operators'
/// credential registration. The setup itself runs in <see cref="IntegrationSetupOrchestration"/>.
/// </summary>
public sealed class IntegrationFunctions(
    AppStore apps,
    IntegrationStore store,
    AppStoreConnectCredentialStore credentials,
    WorkingDayCalendar calendar,
    IntegrationSetupLauncher launcher,
    IntegrationDisconnection disconnection,
    IntegrationHealthCheck healthCheck,
    IntegrationEventLog events,
    IMessageQueue queue,
    IOptions<IntegrationOptions> options,
    TimeProvider clock,
    ILogger<IntegrationFunctions> logger)
{
    private const string Route = "accounts/{accountId}/apps/{appId}/integration";

    [Function(nameof(GetIntegrationCard))]
    public async Task<IActionResult> GetIntegrationCard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken) =>
        await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null
            ? Problems.NotFound("No such app.")
            : new OkObjectResult(IntegrationResponses.Card(options.Value, accountId));

    [Function(nameof(GetIntegrationStatus))]
    public async Task<IActionResult> GetIntegrationStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/status")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        return new OkObjectResult(await StatusAsync(accountId, appId, cancellationToken));
    }

    /// <summary>"I've invited": records the confirmation and its deadline, then starts (or finds) the app's setup
    /// orchestration.</summary>
    [Function(nameof(ConfirmIntegration))]
    public async Task<IActionResult> ConfirmIntegration(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/confirm")] HttpRequest req,
        string accountId, string appId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is not { } app)
        {
            return Problems.NotFound("No such app.");
        }
        if (app.Store != Stores.AppStore)
        {
            return Problems.Conflict("App Store Connect connects App Store apps; an Android app connects to Google " +
                "Play by inviting the account's service account in Play Console (docs/google-play.md).");
        }
        var body = await JsonRequest.ReadAsync<ConfirmIntegrationRequest>(req, cancellationToken);
        if (!body.IsValid)
        {
            return body.Problem!;
        }

        var kind = body.Value!.KindValue;
        var settings = options.Value;
        var confirmedAt = clock.GetUtcNow();
        var (outcome, row) = await store.BeginAttemptAsync(accountId, appId, kind,
            settings.IntegrationEmailFor(accountId), confirmedAt,
            calendar.AddWorkingDays(confirmedAt, settings.WorkingDays), IntegrationSetupOrchestration.InstanceIdFor(
                accountId, appId), cancellationToken);
        if (outcome == ConfirmOutcome.AlreadyActive)
        {
            return Problems.Conflict($"The {IntegrationRoles.For(kind).Title} integration is already active.");
        }
        if (outcome == ConfirmOutcome.InProgress && row.KindValue != kind)
        {
            return Problems.Conflict($"A {IntegrationRoles.For(row.KindValue).Title} setup is in progress; cancel it " +
                $"before confirming another kind.");
        }

        // Also for a setup already in progress: starting is deduplicated, and it repairs a start lost after the row was
        // written.
        await launcher.EnsureStartedAsync(client, row, cancellationToken);
        if (outcome == ConfirmOutcome.Started)
        {
            logger.LogInformation("Integration setup {Kind} confirmed for {AccountId}/{AppId}, deadline {Deadline}",
                kind, accountId, appId, row.Deadline);
        }
        return new AcceptedResult(StatusLocation(accountId, appId), IntegrationResponses.Status(row, settings,
            accountId));
    }

    /// <summary>"I've updated the roles": re-checks at once instead of at the next poll.</summary>
    [Function(nameof(NotifyIntegrationRolesUpdated))]
    public Task<IActionResult> NotifyIntegrationRolesUpdated(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/roles-updated")] HttpRequest req,
        string accountId, string appId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
            =>
        SignalRunningSetupAsync(req, accountId, appId, client, IntegrationSetupOrchestration.RolesUpdatedEvent,
            cancellationToken);

    [Function(nameof(CancelIntegration))]
    public async Task<IActionResult> CancelIntegration(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/cancel")] HttpRequest req,
        string accountId, string appId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        var row = await store.CancelAsync(accountId, appId, cancellationToken);
        if (row is null)
        {
            var current = await store.GetAsync(accountId, appId, cancellationToken);
            return Problems.Conflict(current?.StatusValue == IntegrationStatus.Activating
                ? "The integration is verified and being activated; it can no longer be cancelled."
                : "No integration setup is in progress.");
        }
        // The row is already Cancelled (the SPA sees it at once); the event ends the orchestration and cancels its
        // timer.
        await client.RaiseEventAsync(row.InstanceId!, IntegrationSetupOrchestration.CancelEvent, true,
            cancellationToken);
        logger.LogInformation("Integration setup of {AccountId}/{AppId} cancelled", accountId, appId);
        return new OkObjectResult(IntegrationResponses.Status(row, options.Value, accountId));
    }

    /// <summary>
    /// Disconnect: ReviewHub stops using the key and deletes it; the app goes back to the public feed. Idempotent: 200
    /// with the status every time (also when nothing was ever connected).
    /// </summary>
    [Function(nameof(DisconnectIntegration))]
    public async Task<IActionResult> DisconnectIntegration(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route)] HttpRequest req,
        string accountId, string appId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        if (await apps.FindForMemberAsync(caller, accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        var row = await disconnection.DisconnectAsync(accountId, appId, caller.UserId, client, cancellationToken);
        return new OkObjectResult(IntegrationResponses.Status(row, options.Value, accountId));
    }

    /// <summary>
    /// "I fixed it": checks a degraded connection at once (as the daily check does) and answers with the status; back
    /// to active when App Store Connect takes it again. 409 when no connection is in force.
    /// </summary>
    [Function(nameof(ReportIntegrationFixed))]
    public async Task<IActionResult> ReportIntegrationFixed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/fixed")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        if (await store.GetAsync(accountId, appId, cancellationToken) is not { IsActive: true })
        {
            return Problems.Conflict("No App Store Connect connection is in force for this app.");
        }
        if (await healthCheck.CheckAsync(accountId, appId, cancellationToken) == HealthCheckOutcome.Undecided)
        {
            // App Store Connect did not answer: the queue tries again shortly, the status shows the last finding.
            await queue.SendAsync(QueueNames.IntegrationHealthChecks,
                new IntegrationHealthCheckRequest(accountId, appId), TimeSpan.FromMinutes(5), cancellationToken);
        }
        return new OkObjectResult(await StatusAsync(accountId, appId, cancellationToken));
    }

    /// <summary>The connection's audit trail after setup (degraded, recovered, disconnected), newest first.</summary>
    [Function(nameof(GetIntegrationEvents))]
    public async Task<IActionResult> GetIntegrationEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/events")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        var items = await events.ReadAsync(accountId, appId, cancellationToken);
        return new OkObjectResult(new IntegrationEventsResponse(items.Select(IntegrationEventView.From).ToList()));
    }

    /// <summary>Operators: the integration user accepted the invitation; store its API key in the vault and resume the
    /// setup.</summary>
    [OperatorOnly]
    [Function(nameof(RegisterIntegrationCredential))]
    public async Task<IActionResult> RegisterIntegrationCredential(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/credential")] HttpRequest req,
        string accountId, string appId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        // Operators are not members of customer accounts: the app is looked up directly.
        if (!Ids.IsValid(accountId) || await apps.GetAsync(accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        var body = await JsonRequest.ReadAsync<RegisterCredentialRequest>(req, cancellationToken);
        if (!body.IsValid)
        {
            return body.Problem!;
        }
        var existing = await store.GetAsync(accountId, appId, cancellationToken);
        if (existing is null)
        {
            return Problems.Conflict("The customer has not confirmed an invitation for this app yet.");
        }

        var credential = body.Value!.ToCredential();
        var reference = await credentials.SaveAsync(
            IntegrationCredentials.SecretName(accountId, appId), credential, cancellationToken);
        await store.SetCredentialAsync(accountId, appId, reference, clock.GetUtcNow(), cancellationToken);
        logger.LogInformation("App Store Connect key {KeyId} registered for {AccountId}/{AppId}", credential.KeyId,
            accountId, appId);

        if (existing.IsInProgress)
        {
            await store.UpdateAttemptAsync(accountId, appId, existing.AttemptId!, r =>
            {
                if (r.StatusValue == IntegrationStatus.AwaitingOperator)
                {
                    r.Status = nameof(IntegrationStatus.Verifying);
                    r.LastError = null;
                }
            }, cancellationToken);
            await client.RaiseEventAsync(existing.InstanceId!, IntegrationSetupOrchestration.CredentialRegisteredEvent,
                true, cancellationToken);
        }
        return new OkObjectResult(await StatusAsync(accountId, appId, cancellationToken));
    }

    private async Task<IActionResult> SignalRunningSetupAsync(
        HttpRequest req, string accountId, string appId, DurableTaskClient client, string eventName,
            CancellationToken cancellationToken)
    {
        if (await apps.FindForMemberAsync(Caller.From(req), accountId, appId, cancellationToken) is null)
        {
            return Problems.NotFound("No such app.");
        }
        var row = await store.GetAsync(accountId, appId, cancellationToken);
        if (row is not { IsInProgress: true })
        {
            return Problems.Conflict("No integration setup is in progress.");
        }
        await client.RaiseEventAsync(row.InstanceId!, eventName, true, cancellationToken);
        return new AcceptedResult(StatusLocation(accountId, appId), IntegrationResponses.Status(row, options.Value,
            accountId));
    }

    private async Task<IntegrationStatusResponse> StatusAsync(string accountId, string appId,
        CancellationToken cancellationToken) =>
        IntegrationResponses.Status(await store.GetAsync(accountId, appId, cancellationToken), options.Value,
            accountId);

    private static string StatusLocation(string accountId, string appId) =>
        $"/api/accounts/{accountId}/apps/{appId}/integration/status";
}
